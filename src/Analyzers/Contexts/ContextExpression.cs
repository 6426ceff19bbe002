using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace MmLock.Analyzers.Contexts
{
    internal enum Mode { Exclusive, Shared, Either }

    /// <summary>
    /// Where a context's path starts. <see cref="Captured"/>: a parameter of a member enclosing a local function, which the local
    /// function captures; only an inferred summary has one (attributes name their own member's parameters), and it names that
    /// parameter wherever the local function is called, as every call is inside the member.
    /// </summary>
    internal enum RootKind { Parameter, This, Return, Static, Existential, Captured }

    /// <summary>The text of one alternative: <c>[shared |exclusive ][any ]path[ when condition]</c>.</summary>
    internal sealed class ParsedExpression
    {
        public string Raw = "";
        public Mode? ExplicitMode;
        public bool Existential;
        public string Path = "";
        public string? ConditionText;

        public static ParsedExpression Parse(string raw)
        {
            var result = new ParsedExpression { Raw = raw };
            var text = raw.Trim();
            int when = text.IndexOf(" when ", System.StringComparison.Ordinal);
            if (when >= 0)
            {
                result.ConditionText = text.Substring(when + 6).Trim();
                text = text.Substring(0, when).Trim();
            }
            if (text.StartsWith("shared ", System.StringComparison.Ordinal))
            {
                result.ExplicitMode = Mode.Shared;
                text = text.Substring(7).TrimStart();
            }
            else if (text.StartsWith("exclusive ", System.StringComparison.Ordinal))
            {
                result.ExplicitMode = Mode.Exclusive;
                text = text.Substring(10).TrimStart();
            }
            if (text.StartsWith("any ", System.StringComparison.Ordinal))
            {
                result.Existential = true;
                text = text.Substring(4).Trim();
            }
            result.Path = text;
            return result;
        }
    }

    /// <summary>
    /// A context expression bound at its declaration: a root (parameter, receiver, result, static member or
    /// existential type) followed by fields and properties. Call sites substitute the root.
    /// </summary>
    internal sealed class ContextTemplate
    {
        public ContextTemplate(string text, Mode mode, RootKind root, int parameterOrdinal, string rootName,
            ISymbol? staticMember, ImmutableArray<ISymbol> path, ITypeSymbol? type)
        {
            Text = text;
            Mode = mode;
            Root = root;
            ParameterOrdinal = parameterOrdinal;
            RootName = rootName;
            StaticMember = staticMember;
            Path = path;
            Type = type;
        }

        /// <summary>The expression as written, without mode and condition.</summary>
        public string Text { get; }
        public Mode Mode { get; }
        public RootKind Root { get; }
        public int ParameterOrdinal { get; }
        /// <summary>The parameter name, or the type-qualified static member.</summary>
        public string RootName { get; }
        public ISymbol? StaticMember { get; }
        public ImmutableArray<ISymbol> Path { get; }
        /// <summary>The context's type; for an existential, the named type.</summary>
        public ITypeSymbol? Type { get; }

        /// <summary>The member that declares the context (last path segment, or the static member), used for lock order.</summary>
        public ISymbol? DeclaringMember => Path.Length > 0 ? Path[Path.Length - 1] : StaticMember;

        /// <summary>".a.b" for the path a.b: built once, as every call site's instance of the template appends it.</summary>
        public string PathSuffixKey()
        {
            if (_pathSuffix != null) return _pathSuffix;
            if (Path.IsDefaultOrEmpty) return _pathSuffix = "";
            var builder = new System.Text.StringBuilder();
            foreach (var member in Path) builder.Append('.').Append(member.Name);
            return _pathSuffix = builder.ToString();
        }

        private string? _pathSuffix;
    }

    /// <summary>One concrete context at a program point: canonical key plus what the messages and rules need.</summary>
    internal sealed class ContextInstance
    {
        public ContextInstance(string key, string display, ITypeSymbol? type, ISymbol? declaringMember, bool existential)
        {
            Key = key;
            Display = display;
            Type = type;
            DeclaringMember = declaringMember;
            Existential = existential;
        }

        /// <summary>Canonical form: two expressions name the same context when their keys are equal.</summary>
        public string Key { get; }
        public string Display { get; }
        public ITypeSymbol? Type { get; }
        public ISymbol? DeclaringMember { get; }
        public bool Existential { get; }

        public override string ToString() => Display;
    }
}
