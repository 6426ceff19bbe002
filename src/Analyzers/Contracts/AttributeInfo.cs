using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MmLock.Analyzers.Contracts
{
    /// <summary>
    /// An MmLock attribute in one neutral form, whether it came from source, from metadata or from a
    /// <c>mmlock.contracts.txt</c> line, so the contract is built by one piece of code.
    /// </summary>
    internal sealed class AttributeInfo
    {
        public AttributeInfo(string name, ImmutableArray<object?> arguments, ImmutableDictionary<string, object?> named, Location? location)
        {
            Name = name;
            Arguments = arguments;
            Named = named;
            Location = location;
        }

        /// <summary>The attribute's name without the <c>Attribute</c> suffix: <c>Requires</c>, <c>PageTableWalker</c>.</summary>
        public string Name { get; }
        /// <summary>Constructor arguments; a params array or array literal becomes <c>string[]</c>.</summary>
        public ImmutableArray<object?> Arguments { get; }
        public ImmutableDictionary<string, object?> Named { get; }
        /// <summary>Where the attribute is written, for annotation diagnostics; null for metadata.</summary>
        public Location? Location { get; }

        public string? When => Named.TryGetValue("When", out var value) ? value as string : null;

        public bool NamedBool(string name) => Named.TryGetValue(name, out var value) && value is bool b && b;

        public string[] NamedStrings(string name) =>
            Named.TryGetValue(name, out var value) && value is string[] array ? array : System.Array.Empty<string>();

        public string? StringArgument(int index) =>
            index < Arguments.Length ? Arguments[index] as string : null;

        /// <summary>The context list: the last argument when it is a string array, else the string arguments.</summary>
        public string[] ContextArguments(int skip)
        {
            var result = new List<string>();
            for (int i = skip; i < Arguments.Length; i++)
            {
                if (Arguments[i] is string[] array) result.AddRange(array);
                else if (Arguments[i] is string text) result.Add(text);
            }
            return result.ToArray();
        }

        public static bool IsMmLockAttribute(INamedTypeSymbol? type) =>
            type != null && type.ContainingNamespace is { Name: "MmLock", ContainingNamespace.IsGlobalNamespace: true } && type.Name.EndsWith("Attribute", System.StringComparison.Ordinal);

        public static AttributeInfo? From(AttributeData data)
        {
            if (!IsMmLockAttribute(data.AttributeClass)) return null;
            var name = data.AttributeClass!.Name;
            name = name.Substring(0, name.Length - "Attribute".Length);
            var arguments = data.ConstructorArguments.Select(Value).ToImmutableArray();
            var named = data.NamedArguments.ToImmutableDictionary(pair => pair.Key, pair => Value(pair.Value));
            return new AttributeInfo(name, arguments, named, data.ApplicationSyntaxReference?.GetSyntax().GetLocation());
        }

        private static object? Value(TypedConstant constant)
        {
            if (constant.IsNull) return null;
            if (constant.Kind == TypedConstantKind.Array)
                return constant.Values.Select(v => v.Value as string ?? "").ToArray();
            return constant.Value;
        }

        /// <summary>Reads one attribute written as C# syntax (a contracts-file line); literals only.</summary>
        public static AttributeInfo? FromSyntax(AttributeSyntax syntax, Location location, out string? error)
        {
            error = null;
            var name = syntax.Name.ToString();
            int dot = name.LastIndexOf('.');
            if (dot >= 0) name = name.Substring(dot + 1);
            if (name.EndsWith("Attribute", System.StringComparison.Ordinal)) name = name.Substring(0, name.Length - 9);
            var arguments = ImmutableArray.CreateBuilder<object?>();
            var named = ImmutableDictionary.CreateBuilder<string, object?>();
            foreach (var argument in syntax.ArgumentList?.Arguments ?? default)
            {
                if (!TryLiteral(argument.Expression, out var value))
                {
                    error = $"'{argument.Expression}' is not a literal";
                    return null;
                }
                var key = argument.NameEquals?.Name.Identifier.ValueText ?? argument.NameColon?.Name.Identifier.ValueText;
                if (key != null) named[key] = value;
                else arguments.Add(value);
            }
            return new AttributeInfo(name, arguments.ToImmutable(), named.ToImmutable(), location);
        }

        private static bool TryLiteral(ExpressionSyntax expression, out object? value)
        {
            value = null;
            switch (expression)
            {
                case LiteralExpressionSyntax literal:
                    value = literal.Token.Value;
                    return true;
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression, Operand: LiteralExpressionSyntax negated } when negated.Token.Value is int number:
                    value = -number;
                    return true;
                case ImplicitArrayCreationExpressionSyntax implicitArray:
                    return TryStrings(implicitArray.Initializer.Expressions, out value);
                case ArrayCreationExpressionSyntax { Initializer: { } initializer }:
                    return TryStrings(initializer.Expressions, out value);
                case CollectionExpressionSyntax collection:
                    return TryStrings(collection.Elements.OfType<ExpressionElementSyntax>().Select(e => e.Expression), out value);
                default:
                    return false;
            }
        }

        private static bool TryStrings(IEnumerable<ExpressionSyntax> expressions, out object? value)
        {
            var list = new List<string>();
            foreach (var expression in expressions)
            {
                if (expression is not LiteralExpressionSyntax { Token.Value: string text })
                {
                    value = null;
                    return false;
                }
                list.Add(text);
            }
            value = list.ToArray();
            return true;
        }
    }
}
