using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;

namespace MmLock.Analyzers.Flow
{
    /// <summary>
    /// Canonical paths of caller-side expressions (<c>vma.vm_file.f_mapping.i_mmap_rwsem</c>), with a local replaced by the
    /// value it was assigned (where one assignment reaches the read), and the substitution of call arguments into contract templates.
    /// </summary>
    internal sealed class Paths
    {
        private readonly Dictionary<ILocalSymbol, IOperation?> _singleAssignment = new Dictionary<ILocalSymbol, IOperation?>(SymbolEqualityComparer.Default);
        private readonly Dictionary<CaptureId, IOperation?> _captures = new Dictionary<CaptureId, IOperation?>();
        /// <summary>The local each object creation or <c>with</c> copy is stored into (directly, or through the capture of its initializer).</summary>
        private readonly Dictionary<IOperation, (ILocalSymbol Local, string Key)> _createdInto = new Dictionary<IOperation, (ILocalSymbol, string)>();
        /// <summary>Which assignments reach each read of a reassigned variable; null when none is reassigned.</summary>
        private readonly ReachingDefinitions? _reaching;

        public Paths(ControlFlowGraph graph, System.Threading.CancellationToken cancellation)
        {
            _reaching = ReachingDefinitions.Of(graph, cancellation);
            // Per block: both scans read every operation of the body before the fixed point starts.
            foreach (var block in graph.Blocks)
            {
                cancellation.ThrowIfCancellationRequested();
                foreach (var operation in block.Operations) Scan(operation);
                if (block.BranchValue != null) Scan(block.BranchValue);
            }
            foreach (var block in graph.Blocks)
            {
                cancellation.ThrowIfCancellationRequested();
                foreach (var operation in block.Operations)
                {
                    var assignment = (operation as IExpressionStatementOperation)?.Operation as ISimpleAssignmentOperation ?? operation as ISimpleAssignmentOperation;
                    if (assignment?.Target is not ILocalReferenceOperation local) continue;
                    var value = Unwrap(assignment.Value);
                    if (value is IFlowCaptureReferenceOperation capture && CapturedValue(capture.Id) is { } captured) value = Unwrap(captured);
                    if (value is IObjectCreationOperation || IsWithClone(value)) _createdInto[value] = (local.Local, KeyAt(assignment, local.Local));
                }
            }
        }

        // One stack for every scan of the body: DescendantsAndSelf allocated an iterator (and its stack) per block operation.
        private readonly Stack<IOperation> _scanning = new Stack<IOperation>();

        /// <summary>Every operation in <paramref name="root"/>, in no particular order: what is recorded does not depend on it.</summary>
        private void Scan(IOperation root)
        {
            _scanning.Push(root);
            while (_scanning.Count > 0)
            {
                var operation = _scanning.Pop();
                foreach (var child in operation.ChildOperations) _scanning.Push(child);
                switch (operation)
                {
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment:
                        // A ref local names its target; a plain assignment through it writes the target and leaves the name.
                        if (!local.Local.IsRef || assignment.IsRef) Record(local.Local, assignment.Value);
                        break;
                    case ICompoundAssignmentOperation { Target: ILocalReferenceOperation local }:
                        Overwritten(local.Local);
                        break;
                    case IIncrementOrDecrementOperation { Target: ILocalReferenceOperation local }:
                        Overwritten(local.Local);
                        break;
                    case IArgumentOperation argument when argument.Parameter?.RefKind is RefKind.Out or RefKind.Ref &&
                                                          Unwrap(argument.Value) is ILocalReferenceOperation local:
                        Overwritten(local.Local);
                        break;
                    case IDeconstructionAssignmentOperation deconstruction:
                        foreach (var local in deconstruction.Target.DescendantsAndSelf().OfType<ILocalReferenceOperation>())
                        {
                            Overwritten(local.Local);
                        }
                        break;
                    case IFlowCaptureOperation capture:
                        _captures[capture.Id] = _captures.ContainsKey(capture.Id) ? null : capture.Value;
                        break;
                }
            }
        }

        /// <summary>Written other than by one assignment: no single value (a ref local still names its target).</summary>
        private void Overwritten(ILocalSymbol local)
        {
            if (local.IsRef) return;
            Record(local, null);
            Record(local, null);
        }

        private void Record(ILocalSymbol local, IOperation? value) =>
            _singleAssignment[local] = _singleAssignment.ContainsKey(local) ? null : value;

        /// <summary>The copy a <c>with</c> expression makes (its initializer then runs on the copy).</summary>
        private static bool IsWithClone(IOperation operation) =>
            operation is IInvocationOperation { Syntax: Microsoft.CodeAnalysis.CSharp.Syntax.WithExpressionSyntax };

        private (ILocalSymbol Local, string Key)? CreatedInto(IOperation creation) => _createdInto.TryGetValue(creation, out var into) ? into : null;

        /// <summary>The key of a local as an assignment leaves it (a reassigned local is one variable per assignment).</summary>
        private string KeyAt(IOperation assignment, ILocalSymbol local) =>
            _reaching?.Made(assignment) is { } definition ? LocalKey(local) + "#" + definition.Position : LocalKey(local);

        /// <summary>
        /// What a read of a reassigned variable names: the value of the one assignment reaching it, else the variable as the
        /// assignments reaching it left it; null for a variable that is not reassigned.
        /// </summary>
        private (string Key, string Display)? Reached(IOperation read, string key, string display, int depth)
        {
            var definitions = _reaching?.At(read);
            if (definitions == null) return null;
            if (definitions.Length == 1 && definitions[0].Value is { } value && IsPath(value)) return PathOf(value, depth + 1);
            if (definitions.Length == 0 || (definitions.Length == 1 && definitions[0].Position < 0)) return (key, display);
            return (key + "#" + string.Join(",", definitions.Select(d => d.Position)), display);
        }

        private IOperation? ReachedValue(IOperation read) =>
            _reaching?.At(read) is { Length: 1 } definitions && definitions[0].Value is { } value && IsPath(value) ? value : null;

        public IOperation? CapturedValue(CaptureId id) => _captures.TryGetValue(id, out var value) ? value : null;

        public static IOperation Unwrap(IOperation operation)
        {
            while (true)
            {
                switch (operation)
                {
                    case IConversionOperation conversion:
                        operation = conversion.Operand;
                        continue;
                    case IParenthesizedOperation parenthesized:
                        operation = parenthesized.Operand;
                        continue;
                    case IDeclarationExpressionOperation declaration:
                        operation = declaration.Expression;
                        continue;
                    default:
                        return operation;
                }
            }
        }

        /// <summary>The canonical key and display text of an expression; opaque expressions get their text as key.</summary>
        public (string Key, string Display) PathOf(IOperation operation, int depth = 0)
        {
            operation = Unwrap(operation);
            if (depth > 16) return Opaque(operation);
            switch (operation)
            {
                case IParameterReferenceOperation parameter:
                    return Reached(operation, "param:" + parameter.Parameter.Name, parameter.Parameter.Name, depth)
                           ?? ("param:" + parameter.Parameter.Name, parameter.Parameter.Name);
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.PatternInput } input:
                    return PatternInput(input) is { } matched ? PathOf(matched, depth + 1) : Opaque(operation);
                case IInstanceReferenceOperation:
                    return ("this", "this");
                case ILocalReferenceOperation local:
                    if (Reached(operation, LocalKey(local.Local), local.Local.Name, depth) is { } reached) return reached;
                    if (_singleAssignment.TryGetValue(local.Local, out var value) && value != null && IsPath(value))
                        return PathOf(value, depth + 1);
                    return (LocalKey(local.Local), local.Local.Name);
                case IFieldReferenceOperation field:
                    return Member(field.Field, field.Instance, depth);
                case IPropertyReferenceOperation property when property.Arguments.Length == 0:
                    return Member(property.Property, property.Instance, depth);
                case IFlowCaptureReferenceOperation capture:
                    if (CapturedValue(capture.Id) is { } captured) return PathOf(captured, depth + 1);
                    return ("capture:" + capture.Id.GetHashCode(), capture.Syntax.ToString());
                case IObjectCreationOperation or IInvocationOperation when CreatedInto(operation) is { } receiver:
                    return (receiver.Key, receiver.Local.Name);
                default:
                    return Opaque(operation);
            }
        }

        /// <summary>The field or property a path expression ends in (what lock order and the rules know the context by), if any.</summary>
        public ISymbol? MemberOf(IOperation operation, int depth = 0)
        {
            operation = Unwrap(operation);
            if (depth > 16) return null;
            switch (operation)
            {
                case ILocalReferenceOperation local:
                    if (_reaching?.At(operation) != null) return ReachedValue(operation) is { } reached ? MemberOf(reached, depth + 1) : null;
                    return _singleAssignment.TryGetValue(local.Local, out var value) && value != null && IsPath(value) ? MemberOf(value, depth + 1) : null;
                case IParameterReferenceOperation:
                    return ReachedValue(operation) is { } assigned ? MemberOf(assigned, depth + 1) : null;
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.PatternInput } input:
                    return PatternInput(input) is { } matched ? MemberOf(matched, depth + 1) : null;
                case IFieldReferenceOperation field:
                    return field.Field;
                case IPropertyReferenceOperation property when property.Arguments.Length == 0:
                    return property.Property;
                case IFlowCaptureReferenceOperation capture:
                    return CapturedValue(capture.Id) is { } captured ? MemberOf(captured, depth + 1) : null;
                default:
                    return null;
            }
        }

        /// <summary>
        /// The value a property subpattern's receiver stands for: the input of its recursive pattern, through <c>and</c>/<c>or</c>/<c>not</c>,
        /// which is the tested value of <c>is</c> or <c>switch</c>, or the member read by an enclosing subpattern.
        /// </summary>
        public static IOperation? PatternInput(IInstanceReferenceOperation input)
        {
            var pattern = input.Parent;
            while (pattern != null && pattern is not IRecursivePatternOperation) pattern = pattern.Parent;
            var consumer = pattern?.Parent;
            while (consumer is IBinaryPatternOperation or INegatedPatternOperation) consumer = consumer.Parent;
            return consumer switch
            {
                IPropertySubpatternOperation subpattern => subpattern.Member,
                IIsPatternOperation isPattern => isPattern.Value,
                ISwitchExpressionArmOperation { Parent: ISwitchExpressionOperation switchExpression } => switchExpression.Value,
                IPatternCaseClauseOperation { Parent: ISwitchCaseOperation { Parent: ISwitchOperation switchStatement } } => switchStatement.Value,
                _ => null,
            };
        }

        public static string LocalKey(ILocalSymbol local)
        {
            var position = local.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0;
            return "local:" + local.Name + "@" + position;
        }

        private static (string, string) Opaque(IOperation operation)
        {
            var text = new string(operation.Syntax.ToString().Where(c => !char.IsWhiteSpace(c)).ToArray());
            return ("expr:" + text, operation.Syntax.ToString());
        }

        private (string, string) Member(ISymbol member, IOperation? instance, int depth)
        {
            if (member.IsStatic || instance == null)
                return (ContextBinder.StaticKey(member), member.ContainingType.Name + "." + member.Name);
            var (key, display) = PathOf(instance, depth + 1);
            bool implicitThis = Unwrap(instance) is IInstanceReferenceOperation { IsImplicit: true, ReferenceKind: not InstanceReferenceKind.PatternInput } || display == "this";
            return (key + "." + member.Name, implicitThis ? member.Name : display + "." + member.Name);
        }

        private static bool IsPath(IOperation operation)
        {
            operation = Unwrap(operation);
            return operation switch
            {
                IParameterReferenceOperation or IInstanceReferenceOperation or ILocalReferenceOperation => true,
                IFieldReferenceOperation field => field.Instance == null || IsPath(field.Instance),
                IPropertyReferenceOperation property => property.Arguments.Length == 0 && (property.Instance == null || IsPath(property.Instance)),
                _ => false,
            };
        }

        /// <summary>The key of the local that receives an operation's value (as that assignment leaves it), if a local does.</summary>
        public string? ReceiverKey(IOperation operation)
        {
            var parent = operation.Parent;
            while (parent is IConversionOperation) { operation = parent; parent = parent.Parent; }
            return parent is ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment && assignment.Value == operation
                ? KeyAt(assignment, local.Local)
                : null;
        }

        /// <summary>The local or flow capture that receives an operation's value, if any.</summary>
        public static object? Receiver(IOperation operation)
        {
            var parent = operation.Parent;
            while (parent is IConversionOperation) { operation = parent; parent = parent.Parent; }
            return parent switch
            {
                ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment when assignment.Value == operation => local.Local,
                IFlowCaptureOperation capture => capture.Id,
                _ => null,
            };
        }

        /// <summary>The static type of an argument before the implicit conversion to the parameter's type.</summary>
        private static ITypeSymbol? OperandType(IOperation operation)
        {
            while (operation is IConversionOperation { IsImplicit: true } conversion) operation = conversion.Operand;
            return operation.Type;
        }

        /// <summary>
        /// A static context is per instantiation of its generic type: named in the contract of a member of <c>G&lt;T&gt;</c>, it is
        /// <c>G&lt;int&gt;</c>'s when the member is called as <c>G&lt;int&gt;</c>'s (or as a member of a type nested in it).
        /// </summary>
        private static string StaticKeyAt(ISymbol member, ISymbol called)
        {
            var declaring = member.ContainingType.OriginalDefinition;
            for (var type = called.ContainingType; type != null; type = type.ContainingType)
                if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, declaring))
                    return ContextBinder.StaticKey(member, type);
            return ContextBinder.StaticKey(member);
        }

        /// <summary>
        /// The contexts guarding <paramref name="member"/> at an access through <paramref name="instance"/>, in the guard's order; one
        /// that does not instantiate here (rooted where the access cannot name it) is left out.
        /// </summary>
        public List<ContextInstance> GuardContexts(ContractModel.GuardInfo guard, IOperation access, ISymbol member, IOperation? instance)
        {
            var site = new CallSite(access, member, instance, Enumerable.Empty<IArgumentOperation>(), 0);
            var contexts = new List<ContextInstance>(guard.Contexts.Length);
            foreach (var template in guard.Contexts)
                if (Instantiate(template, site) is { } context) contexts.Add(context);
            return contexts;
        }

        /// <summary>
        /// Whether a local function or lambda around <paramref name="call"/> declares a parameter named <paramref name="name"/>: there the
        /// name is another variable than the one a called local function captured (keys of parameters are their names).
        /// </summary>
        private static bool ShadowsCaptured(SyntaxNode call, string name)
        {
            foreach (var ancestor in call.Ancestors())
            {
                var parameters = ancestor switch
                {
                    LocalFunctionStatementSyntax local => local.ParameterList.Parameters,
                    ParenthesizedLambdaExpressionSyntax lambda => lambda.ParameterList.Parameters,
                    SimpleLambdaExpressionSyntax lambda => Microsoft.CodeAnalysis.CSharp.SyntaxFactory.SingletonSeparatedList(lambda.Parameter),
                    AnonymousMethodExpressionSyntax method when method.ParameterList != null => method.ParameterList.Parameters,
                    _ => default,
                };
                foreach (var parameter in parameters)
                    if (parameter.Identifier.ValueText == name) return true;
                if (ancestor is MemberDeclarationSyntax) return false;
            }
            return false;
        }

        /// <summary>The template's instance at a call: parameters, receiver and result replaced by the caller's expressions.</summary>
        public ContextInstance? Instantiate(ContextTemplate template, CallSite site)
        {
            switch (template.Root)
            {
                case RootKind.Existential:
                    return ContextBinder.ExistentialInstance(template);
                case RootKind.Static:
                    return ContextBinder.Extend(template, StaticKeyAt(template.StaticMember!, site.Member), template.RootName);
                case RootKind.Parameter:
                    var argument = site.Argument(template.ParameterOrdinal);
                    if (argument == null) return null;
                    var (key, display) = PathOf(argument);
                    return ContextBinder.Extend(template, key, display, OperandType(argument), MemberOf(argument));
                case RootKind.Captured:
                    // Where a nearer parameter hides the captured one, nothing the caller holds is that context: the requirement is not met.
                    return ShadowsCaptured(site.Operation.Syntax, template.RootName)
                        ? ContextBinder.Extend(template, "captured:" + template.RootName + "@" + site.Operation.Syntax.SpanStart, template.RootName)
                        : ContextBinder.Extend(template, "param:" + template.RootName, template.RootName);
                case RootKind.This:
                    // 'new T(...)' names its object by the local that receives it, else not at all.
                    if (site.Receiver is IObjectCreationOperation created)
                        return CreatedInto(created) is { } named ? ContextBinder.Extend(template, named.Key, named.Local.Name, created.Type) : null;
                    // A local function's 'this' is its caller's.
                    if (site.Receiver == null)
                        return site.Member is IMethodSymbol { MethodKind: MethodKind.LocalFunction } ? ContextBinder.Extend(template, "this", "this") : null;
                    var (thisKey, thisDisplay) = PathOf(site.Receiver);
                    return ContextBinder.Extend(template, thisKey, thisDisplay, OperandType(site.Receiver), MemberOf(site.Receiver));
                default:
                    if (Receiver(site.Operation) is ILocalSymbol local) return ContextBinder.Extend(template, ReceiverKey(site.Operation)!, local.Name);
                    var (resultKey, resultDisplay) = Opaque(site.Operation);
                    return ContextBinder.Extend(template, resultKey + "@" + site.Operation.Syntax.SpanStart, resultDisplay);
            }
        }
    }

    /// <summary>A call being analyzed: the member, its receiver and its arguments by parameter ordinal.</summary>
    internal sealed class CallSite
    {
        private readonly IOperation?[] _arguments;

        public CallSite(IOperation operation, ISymbol member, IOperation? receiver, IEnumerable<IArgumentOperation> arguments, int parameterCount)
        {
            Operation = operation;
            Member = member;
            Receiver = receiver;
            _arguments = new IOperation?[parameterCount];
            foreach (var argument in arguments)
                if (argument.Parameter != null && argument.Parameter.Ordinal < parameterCount && argument.ArgumentKind != ArgumentKind.DefaultValue)
                    _arguments[argument.Parameter.Ordinal] = argument.Value;
        }

        /// <summary>An operator or conversion: its operands are the arguments, in order.</summary>
        public CallSite(IOperation operation, ISymbol member, IOperation? receiver, IOperation?[] arguments)
        {
            Operation = operation;
            Member = member;
            Receiver = receiver;
            _arguments = arguments;
        }

        public IOperation Operation { get; }
        public ISymbol Member { get; }
        public IOperation? Receiver { get; }

        /// <summary>Where the call's diagnostics go: the call, or for a <c>using</c>'s implicit disposal where it runs.</summary>
        public Location Location => _location ??= LocationOf(Operation);

        private Location? _location;

        /// <summary>
        /// A <c>using</c> block's implicit disposal (and an <c>await using</c>'s await of it) runs at its closing brace, a
        /// <c>using</c> declaration's at the end of its block (contract §3.1); any other operation is located at its syntax.
        /// </summary>
        public static Location LocationOf(IOperation operation)
        {
            var disposal = operation is IAwaitOperation { IsImplicit: true } awaited ? Paths.Unwrap(awaited.Operation) : operation;
            if (disposal is IInvocationOperation { IsImplicit: true, TargetMethod.Name: "Dispose" or "DisposeAsync" })
                foreach (var node in disposal.Syntax.AncestorsAndSelf())
                {
                    switch (node)
                    {
                        case UsingStatementSyntax { Statement: BlockSyntax block }:
                            return block.CloseBraceToken.GetLocation();
                        case UsingStatementSyntax statement:
                            return statement.Statement.GetLastToken().GetLocation();
                        case LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0, Parent: BlockSyntax enclosing }:
                            return enclosing.CloseBraceToken.GetLocation();
                    }
                    if (node is StatementSyntax) break;
                }
            return operation.Syntax.GetLocation();
        }

        public int ArgumentCount => _arguments.Length;

        public IOperation? Argument(int ordinal) => ordinal >= 0 && ordinal < _arguments.Length ? _arguments[ordinal] : null;

        public string MemberName => DisplayName(Member);

        public static string DisplayName(ISymbol member) => member switch
        {
            IMethodSymbol { MethodKind: MethodKind.Constructor } ctor => ctor.ContainingType.Name,
            IMethodSymbol { MethodKind: MethodKind.DelegateInvoke } invoke => invoke.ContainingType.Name,
            IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator } op =>
                "operator " + Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetText(Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetOperatorKind(op.MetadataName)),
            IMethodSymbol { MethodKind: MethodKind.Conversion } conversion => "operator " + conversion.ReturnType.Name,
            IMethodSymbol { AssociatedSymbol: { } property } => property.Name,
            IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } => "lambda",
            _ => member.Name,
        };
    }
}
