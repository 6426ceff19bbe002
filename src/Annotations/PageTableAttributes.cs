using System;
using System.Diagnostics;

namespace MmLock
{
    /// <summary>Declares a page-table space (kernel tables, vmemmap, hugetlb shared PMDs, user tables).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class PageTableSpaceAttribute : ConditionalContractAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public PageTableSpaceAttribute(string name) { Name = name; }

        /// <summary>The space's name, used by the role attributes.</summary>
        public string Name { get; }

        /// <summary>The alternatives a non-owning <see cref="LeafModifierAttribute"/> must hold one of (MM2004).</summary>
        public string[]? LeafLock { get; set; }
    }

    /// <summary>One way tables of a space get freed. A walker must exclude every freeing active in the configuration.</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    public sealed class TableFreeingAttribute : ConditionalContractAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public TableFreeingAttribute(string space, string name) { Space = space; Name = name; }

        /// <summary>The space whose tables are freed.</summary>
        public string Space { get; }

        /// <summary>The freeing's name, used by <see cref="TableFreerAttribute"/>.</summary>
        public string Name { get; }

        /// <summary>What a freer of this kind must hold, all of them (MM2003).</summary>
        public string[]? Holds { get; set; }

        /// <summary>The alternatives a walker may hold to exclude this freeing (MM2001, MM2002).</summary>
        public string[]? ExcludedBy { get; set; }
    }

    /// <summary>Walks intermediate tables of a space without owning the range: the walker or its caller must exclude every active freeing (MM2001).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class PageTableWalkerAttribute : ConditionalContractAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public PageTableWalkerAttribute(string space) { Space = space; }

        /// <summary>The space walked.</summary>
        public string Space { get; }

        /// <summary>The caller has exclusive access to the range: no guard is needed.</summary>
        public bool OwnsRange { get; set; }
    }

    /// <summary>Frees intermediate table pages of a space in the named way: it or its caller must hold that freeing's <c>Holds</c> (MM2003).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class TableFreerAttribute : ConditionalContractAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public TableFreerAttribute(string space, string freeing) { Space = space; Freeing = freeing; }

        /// <summary>The space whose tables are freed.</summary>
        public string Space { get; }

        /// <summary>The <see cref="TableFreeingAttribute"/> name.</summary>
        public string Freeing { get; }
    }

    /// <summary>Changes leaf entries of a space: a non-owner must hold one of the space's <c>LeafLock</c> alternatives (MM2004).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class LeafModifierAttribute : ConditionalContractAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public LeafModifierAttribute(string space) { Space = space; }

        /// <summary>The space modified.</summary>
        public string Space { get; }

        /// <summary>The caller owns the range: no leaf lock is needed.</summary>
        public bool OwnsRange { get; set; }
    }

    /// <summary>Switches a live page-table root (<c>cpu_replace_ttbr1</c>): the caller must hold one of the contexts (MM2006).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class ReplacesLiveRootAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public ReplacesLiveRootAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>Reads <c>struct page</c> of memory that may be offline: safe under one of the contexts or after a passed <see cref="OnlineCheckAttribute"/> (MM2007).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = true)]
    public sealed class ReadsMemmapAttribute : ContextListAttribute
    {
        /// <summary>Creates the attribute.</summary>
        public ReadsMemmapAttribute(params string[] contexts) : base(contexts) { }
    }

    /// <summary>A non-null return proves the memory online on that path (<c>pfn_to_online_page</c>).</summary>
    [Conditional(Targets.KeepSymbol)]
    [AttributeUsage(Targets.Members, AllowMultiple = false)]
    public sealed class OnlineCheckAttribute : Attribute
    {
    }
}
