using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MmLock.Analyzers.Contracts;
using MmLock.Analyzers.Flow;

namespace MmLock.Analyzers.Rules
{
    /// <summary>
    /// MM1011 (contract §3.1): a method group, or a lambda with contract attributes, converted to a delegate type whose Invoke
    /// does not state the same requirements and roles. A call through the delegate is checked against the Invoke's contract
    /// only, so the member's own requirements would go unchecked there.
    /// </summary>
    internal static class DelegateRules
    {
        /// <summary>The member a conversion checks against the delegate: a method group's method, or a lambda with contract attributes.</summary>
        public static IMethodSymbol? ConvertedMember(ContractModel model, IDelegateCreationOperation conversion) => conversion.Target switch
        {
            IMethodReferenceOperation reference => reference.Method,
            IAnonymousFunctionOperation lambda when !model.AttributesOf(lambda.Symbol).IsEmpty => lambda.Symbol,
            _ => null,
        };

        public static void Check(ContractModel model, IDelegateCreationOperation conversion, Action<Diagnostic> report)
        {
            if (conversion.Type is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke } delegateType
                || ConvertedMember(model, conversion) is not { } member) return;
            // A member that requires nothing is never unchecked through the delegate, whatever its Invoke states (project choice).
            var required = model.ContractOf(member).Signature(requirementsOnly: true);
            if (required.Length == 0 || required == model.ContractOf(invoke).Signature(requirementsOnly: true)) return;

            var source = delegateType.DeclaringSyntaxReferences.FirstOrDefault();
            var properties = DiagnosticProperties.Of(
                (DiagnosticProperties.Delegate, delegateType.OriginalDefinition.GetDocumentationCommentId()),
                (DiagnosticProperties.DelegateInSource, source != null ? "true" : "false"),
                (DiagnosticProperties.Member, member.MethodKind == MethodKind.AnonymousFunction
                    ? conversion.Target.Syntax.SpanStart + ":" + conversion.Target.Syntax.Span.Length
                    : ContractModel.Normalize(member).GetDocumentationCommentId()));
            report(Diagnostic.Create(Descriptors.MM1011, conversion.Syntax.GetLocation(), properties,
                CallSite.DisplayName(member), delegateType.Name));
        }
    }
}
