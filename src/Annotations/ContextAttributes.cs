using System;
using System.Diagnostics;

namespace MmLock
{
    /// <summary>
    /// Every instance of the marked type is a distinct context (a spinlock, an rw_semaphore, the hugetlb vma lock).
    /// A global context with no object behind it (RCU, IRQs-off, stop_machine) is a static readonly field of such a type.
    /// </summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = true)]
    public sealed class ContextAttribute : Attribute
    {
        /// <summary>Holding the context forbids sleeping: MM3001 reports <see cref="MightSleepAttribute"/> calls and sleeping acquires under it.</summary>
        public bool Atomic { get; set; }

        /// <summary>The context may be acquired again while held and keeps a nesting count; its mode is ignored (RCU, <c>local_irq_save</c>).</summary>
        public bool Reentrant { get; set; }

        /// <summary>Acquiring while held is allowed and one release releases all (<c>local_irq_disable</c>).</summary>
        public bool Idempotent { get; set; }
    }

    /// <summary>A value of the marked type produced by an <c>Acquires*</c> member releases those contexts when the local holding it is disposed (<c>using</c> or <c>Dispose()</c>).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = true)]
    public sealed class ScopedGuardAttribute : Attribute
    {
    }

    /// <summary>After the call the contexts are held exclusively. The analyzer updates its held set at the call and checks the body on every path (MM1008).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class AcquiresAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public AcquiresAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>After the call the contexts are held shared (read side).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class AcquiresSharedAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public AcquiresSharedAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>The contexts are released; the caller must hold them exclusively (MM1002 otherwise).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class ReleasesAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public ReleasesAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>The contexts are released; the caller must hold them shared.</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class ReleasesSharedAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public ReleasesSharedAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>An exclusively held context becomes shared (<c>mmap_write_downgrade</c>).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class DowngradesAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public DowngradesAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>
    /// The contexts are held exclusively only on paths where the return value equals <see cref="Success"/>:
    /// <c>true</c>, <c>false</c>, an integer (<c>0</c> for the <c>*_killable</c> forms) or <c>"nonnull"</c>.
    /// </summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class TryAcquiresAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public TryAcquiresAttribute(object success, params string[] contexts) : base(contexts) { Success = success; }

        /// <summary>The return value that means the contexts were acquired.</summary>
        public object Success { get; }
    }

    /// <summary>Like <see cref="TryAcquiresAttribute"/>, for the shared mode.</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class TryAcquiresSharedAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public TryAcquiresSharedAttribute(object success, params string[] contexts) : base(contexts) { Success = success; }

        /// <summary>The return value that means the contexts were acquired.</summary>
        public object Success { get; }
    }

    /// <summary>The caller must hold all the contexts exclusively (MM1001). Inside the body they are assumed held.</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class RequiresAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public RequiresAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>The caller must hold all the contexts, in either mode (MM1001).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class RequiresSharedAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public RequiresSharedAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>The caller must hold at least one of the alternatives (MM1001). Several on one member all apply.</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class RequiresAnyAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public RequiresAnyAttribute(params string[] alternatives) : base(alternatives) { }
    }

    /// <summary>The caller must not hold the contexts (MM1006), as <c>mem_hotplug_begin</c> must not run under <c>get_online_mems</c>.</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class ExcludesAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public ExcludesAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>A run-time assertion (<c>lockdep_assert_held</c>): after the call the analysis assumes the contexts held exclusively.</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class AssertsHeldAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public AssertsHeldAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>A run-time assertion of the shared mode: after the call the analysis assumes the contexts held shared.</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class AssertsHeldSharedAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public AssertsHeldSharedAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary><c>lockdep_assert_not_held</c>: after the call the analysis assumes the contexts not held.</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class AssertsNotHeldAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public AssertsNotHeldAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>The member may sleep: MM3001 reports a call while an <see cref="ContextAttribute.Atomic"/> context is held.</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = false)]
    public sealed class MightSleepAttribute : ConditionalContractAttribute
    {
    }

    /// <summary>The returned reference is valid while one of the contexts that satisfied the member's requirement stays held (MM2005).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = false)]
    public sealed class ReturnsGuardedAttribute : ConditionalContractAttribute
    {
    }

    /// <summary>Writing the member needs all contexts exclusive; reading needs all in either mode, or any one with <see cref="ReadAny"/> (MM1007).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = true)]
    public sealed class GuardedByAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public GuardedByAttribute(params string[] contexts) : base(contexts) { }

        /// <summary>Reading is allowed under any one of the contexts (a field written under several locks).</summary>
        public bool ReadAny { get; set; }
    }

    /// <summary>Declared lock order: the marked context is acquired before the listed ones (MM1009).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true)]
    public sealed class AcquiredBeforeAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public AcquiredBeforeAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>Declared lock order: the marked context is acquired after the listed ones (MM1009).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true)]
    public sealed class AcquiredAfterAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public AcquiredAfterAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>The body is not checked (no diagnostic of any rule inside it); its contract still binds callers. The justification may not be empty (MM9004).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = false)]
    public sealed class NoLockAnalysisAttribute : Attribute
    {
        /// <summary>Creates the attribute.</summary>
        public NoLockAnalysisAttribute(string justification) { Justification = justification; }

        /// <summary>Why the body is exempt.</summary>
        public string Justification { get; }
    }
}
