using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MmLock.Analyzers.Contracts;

namespace MmLock.Analyzers.Flow
{
    /// <summary>
    /// Whether a body can produce any flow diagnostic: only if it, or something it touches, carries a contract.
    /// Checked on the operation tree before the control-flow graph is built, which is the expensive part, so code
    /// without annotations costs a walk and a few cached lookups. Must accept everything the transfer functions act on.
    /// </summary>
    internal static class Relevance
    {
        public static bool Matters(ContractModel model, ISymbol owner, IOperation body, CancellationToken cancellation) =>
            !model.ContractOf(owner).IsEmpty || Touches(model, body, cancellation);

        /// <summary>Whether the body touches anything that carries a contract (whatever its own contract).</summary>
        public static bool Touches(ContractModel model, IOperation body, CancellationToken cancellation = default)
        {
            foreach (var operation in body.Descendants())
            {
                // The walk materializes the operation tree (Roslyn builds it lazily): seconds on a 20,000-line body.
                cancellation.ThrowIfCancellationRequested();
                switch (operation)
                {
                    case IInvocationOperation invocation when Has(model, invocation.TargetMethod):
                    case IBinaryOperation { OperatorMethod: { } binaryOperator } when Has(model, binaryOperator):
                    case IUnaryOperation { OperatorMethod: { } unaryOperator } when Has(model, unaryOperator):
                    case IConversionOperation { OperatorMethod: { } conversionOperator } when Has(model, conversionOperator):
                    case IObjectCreationOperation { Constructor: { } constructor } when Has(model, constructor):
                    case IFieldReferenceOperation field when model.GuardOf(field.Field) != null:
                    case IPropertyReferenceOperation property when model.GuardOf(property.Property) != null
                        || Has(model, property.Property.GetMethod) || Has(model, property.Property.SetMethod):
                    case ILocalFunctionOperation local when Has(model, local.Symbol):
                    case IAnonymousFunctionOperation anonymous when Has(model, anonymous.Symbol)
                        || anonymous.Parent is IDelegateCreationOperation { Type: INamedTypeSymbol { DelegateInvokeMethod: { } invoke } } && Has(model, invoke):
                        return true;
                }
            }
            return false;
        }

        private static bool Has(ContractModel model, ISymbol? member) => member != null && !model.ContractOf(member).IsEmpty;
    }
}
