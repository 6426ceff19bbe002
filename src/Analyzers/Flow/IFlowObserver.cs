using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace MmLock.Analyzers.Flow
{
    /// <summary>What the rules see of a body: the operations they care about, each with the state before it.</summary>
    internal interface IFlowObserver
    {
        void OnCall(CallEvent call, FlowState before, BodyAnalysis body);
        void OnAccess(IOperation access, ISymbol member, IOperation? instance, bool write, FlowState state, BodyAnalysis body);
        /// <summary>An explicit <c>Dispose()</c> of a scoped guard that already disposed <paramref name="disposed"/> on every path.</summary>
        void OnGuardDisposedAgain(IOperation dispose, IReadOnlyList<Held> disposed, BodyAnalysis body);
        void OnSuspend(IOperation operation, string what, FlowState state, BodyAnalysis body);
        void OnReferenceUse(IOperation use, string name, GuardedReference reference, FlowState state, BodyAnalysis body);
        /// <summary>A guarded reference leaves its guard at <paramref name="at"/> (contract §3.1): <paramref name="how"/> says where to.</summary>
        void OnReferenceEscape(Location at, string? name, GuardedReference reference, string how, FlowState state, BodyAnalysis body);
        /// <summary>The body leaves at <paramref name="location"/>; <paramref name="returned"/> is the value a <c>return</c> gives, if any.</summary>
        void OnExit(Location location, FlowState state, BodyAnalysis body, IOperation? returned);
        /// <summary>Paths that hold different contexts join: <paramref name="joined"/> is the state after the join.</summary>
        void OnJoin(Location join, IReadOnlyList<FlowState> incoming, FlowState joined, BodyAnalysis body);
    }
}
