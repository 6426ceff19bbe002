using Microsoft.CodeAnalysis;

namespace MmLock.Analyzers
{
    /// <summary>The rule catalogue of contract.md §3: one descriptor per ID, one help page per ID.</summary>
    public static class Descriptors
    {
        private const string HelpBase = "https://github.com/MmLockAnalyzers/MmLockAnalyzers/blob/main/docs/rules/";
        private const string ContextCategory = "MmLock.Context";
        private const string PageTableCategory = "MmLock.PageTable";
        private const string AtomicCategory = "MmLock.Atomic";
        private const string AnnotationCategory = "MmLock.Annotations";
        private const string AnalysisCategory = "MmLock.Analysis";

        private static DiagnosticDescriptor Rule(string id, string title, string message, string category, DiagnosticSeverity severity, string description) =>
            new DiagnosticDescriptor(id, title, message, category, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpBase + id + ".md");

        // {0} member, {1} what is missing, {2} where it was released (may be empty), {3} the inferred chain " (via a -> b)" (may be empty)
        public static readonly DiagnosticDescriptor MM1001 = Rule("MM1001", "Required context not held",
            "Calling '{0}' requires {1}{3}{2}", ContextCategory, DiagnosticSeverity.Error,
            "A member annotated [Requires], [RequiresShared] or [RequiresAny] is called without the context held.");

        // {0} context, {1} why
        public static readonly DiagnosticDescriptor MM1002 = Rule("MM1002", "Release of a context that is not held",
            "Releasing '{0}', {1}", ContextCategory, DiagnosticSeverity.Error,
            "A context is released that is certainly not held at this point, or is held in the other mode.");

        // {0} context, {1} line of the first acquire
        public static readonly DiagnosticDescriptor MM1003 = Rule("MM1003", "Acquire of a context already held",
            "Acquiring '{0}', which is already held (acquired at line {1})", ContextCategory, DiagnosticSeverity.Error,
            "A non-reentrant context is acquired while it is certainly held: a self-deadlock.");

        // {0} helper, {1} context, {2} " (via a -> b)", {3} line of the first acquire
        public static readonly DiagnosticDescriptor MM1003Call = Rule("MM1003", "Acquire of a context already held",
            "Calling '{0}' acquires '{1}'{2}, which is already held (acquired at line {3})", ContextCategory, DiagnosticSeverity.Error,
            "A helper whose contract is inferred acquires a non-reentrant context that its caller certainly holds: a self-deadlock.");

        // {0} context, {1} member, {2} line of the acquire
        public static readonly DiagnosticDescriptor MM1004 = Rule("MM1004", "Context still held at exit",
            "'{0}' is still held at this exit of '{1}' (acquired at line {2})", ContextCategory, DiagnosticSeverity.Error,
            "A context acquired in the member is still held when it returns or throws, and the member's contract does not say it acquires it.");

        // {0} context, {1} line of the join
        public static readonly DiagnosticDescriptor MM1005 = Rule("MM1005", "Context held on some paths only",
            "'{0}' is held on some paths only where they join at line {1}", ContextCategory, DiagnosticSeverity.Warning,
            "Where control-flow paths join, a context is held on some and not on others; afterwards it satisfies nothing.");

        // {0} member, {1} context, {2} where it was acquired
        public static readonly DiagnosticDescriptor MM1006 = Rule("MM1006", "Call while holding an excluded context",
            "Calling '{0}' while holding '{1}', which it excludes ({2})", ContextCategory, DiagnosticSeverity.Error,
            "A member annotated [Excludes] is called while the context it excludes is held.");

        // {0} helper, {1} context, {2} where it was acquired, {3} " (via a -> b)"
        public static readonly DiagnosticDescriptor MM1006Call = Rule("MM1006", "Call while holding an excluded context",
            "Calling '{0}' while holding '{1}' ({2}), which it excludes{3}", ContextCategory, DiagnosticSeverity.Error,
            "A helper whose contract is inferred calls a member annotated [Excludes], and its caller holds the excluded context.");

        // {0} Reading/Writing, {1} member, {2} what is missing
        public static readonly DiagnosticDescriptor MM1007 = Rule("MM1007", "Guarded member accessed without its contexts",
            "{0} '{1}' requires {2}", ContextCategory, DiagnosticSeverity.Error,
            "A [GuardedBy] field or property is read or written without the contexts that guard it.");

        // {0} the helper called, {1} "reads 'f'" or "writes 'f'", {2} the inferred chain (may be empty), {3} what is missing
        public static readonly DiagnosticDescriptor MM1007Call = Rule("MM1007", "Guarded member accessed without its contexts",
            "Calling '{0}' {1}{2}, which requires {3}", ContextCategory, DiagnosticSeverity.Error,
            "A helper whose contract is inferred reads or writes a [GuardedBy] field or property, and its caller does not hold the contexts that guard it.");

        // {0} member, {1} acquire/release, {2} context
        public static readonly DiagnosticDescriptor MM1008 = Rule("MM1008", "Acquire/release contract not kept by the body",
            "'{0}' does not {1} '{2}' on every path", ContextCategory, DiagnosticSeverity.Warning,
            "A member annotated [Acquires] or [Releases] does not do so on every path through its body.");

        // {0} acquired context, {1} held context
        public static readonly DiagnosticDescriptor MM1009 = Rule("MM1009", "Lock order violation",
            "Acquiring '{0}' while holding '{1}' violates the declared lock order ('{0}' comes before '{1}')", ContextCategory, DiagnosticSeverity.Warning,
            "A context is acquired while a context declared to come after it is held.");

        // {0} context, {1} await / yield return, {2} line of the acquire
        public static readonly DiagnosticDescriptor MM1010 = Rule("MM1010", "Context held across await or yield",
            "'{0}' is held across {1} (acquired at line {2})", ContextCategory, DiagnosticSeverity.Error,
            "A context is held across an await or a yield return, where execution may resume on another thread or never.");

        // {0} method or lambda, {1} delegate type
        public static readonly DiagnosticDescriptor MM1011 = Rule("MM1011", "Contract lost in a delegate conversion",
            "'{0}' is converted to '{1}', whose Invoke does not state the same requirements and roles: calls through it are not checked", ContextCategory, DiagnosticSeverity.Warning,
            "A method group or an annotated lambda becomes a delegate whose Invoke states other requirements and roles, so calls through the delegate check the wrong ones.");

        // {0} walker, {1} space, {2} freeing, {3} alternatives, {4} the inferred chain (may be empty)
        public static readonly DiagnosticDescriptor MM2001 = Rule("MM2001", "Unguarded page-table walk",
            "Calling '{0}' walks '{1}' page tables{4} without excluding the '{2}' freeing: hold {3}", PageTableCategory, DiagnosticSeverity.Error,
            "A [PageTableWalker] that does not own its range runs while a way of freeing tables of its space is not excluded.");

        // {0} lookup, {1} space, {2} freeing, {3} alternatives, {4} the inferred chain (may be empty)
        public static readonly DiagnosticDescriptor MM2002 = Rule("MM2002", "Entry lookup outside its lock",
            "Calling '{0}' looks up '{1}' entries{4} without excluding the '{2}' freeing: hold {3}", PageTableCategory, DiagnosticSeverity.Error,
            "An entry lookup (a walker that returns a guarded reference, like huge_pte_offset) runs while the table it returns may be freed.");

        // {0} freer, {1} space, {2} freeing, {3} missing contexts, {4} the inferred chain (may be empty)
        public static readonly DiagnosticDescriptor MM2003 = Rule("MM2003", "Table freed without its freeing's locks",
            "Calling '{0}' frees '{1}' tables ('{2}'){4} without holding {3}", PageTableCategory, DiagnosticSeverity.Error,
            "A [TableFreer] runs without the contexts its kind of freeing must hold.");

        // {0} modifier, {1} space, {2} alternatives, {3} the inferred chain (may be empty)
        public static readonly DiagnosticDescriptor MM2004 = Rule("MM2004", "Leaf modified without the leaf lock",
            "Calling '{0}' modifies '{1}' leaf entries{3} without a leaf lock: hold {2}", PageTableCategory, DiagnosticSeverity.Error,
            "A non-owning [LeafModifier] runs without any of its space's LeafLock alternatives.");

        // {0} the reference, {1} the lookup, {2} the context, {3} line of the release
        public static readonly DiagnosticDescriptor MM2005 = Rule("MM2005", "Guarded reference used after its guard was released",
            "'{0}' from '{1}' is used after '{2}' was released at line {3}", PageTableCategory, DiagnosticSeverity.Error,
            "A reference returned by a [ReturnsGuarded] member is used after the last context that covered the lookup was released.");

        // {0} the lookup, {1} " in 'local'" (may be empty), {2} the contexts covering it, {3} how it escapes
        public static readonly DiagnosticDescriptor MM2005Escape = Rule("MM2005", "Guarded reference used after its guard was released",
            "The entry from '{0}'{1} escapes the guard of {2}: {3}", PageTableCategory, DiagnosticSeverity.Error,
            "A reference returned by a [ReturnsGuarded] member is stored into a field or array element, captured by a lambda, or returned by a member without [ReturnsGuarded], so it is used where no guard covers it.");

        // {0} member, {1} alternatives, {2} the inferred chain (may be empty)
        public static readonly DiagnosticDescriptor MM2006 = Rule("MM2006", "Live root replaced outside stop_machine",
            "Calling '{0}' replaces a live page-table root{2} without holding {1}", PageTableCategory, DiagnosticSeverity.Error,
            "A [ReplacesLiveRoot] member runs while other CPUs may still use the old root.");

        // {0} member, {1} alternatives, {2} the inferred chain (may be empty)
        public static readonly DiagnosticDescriptor MM2007 = Rule("MM2007", "Memmap of possibly-offline memory read",
            "Calling '{0}' reads the memmap of memory that may be offline{2}: hold {1} or pass an [OnlineCheck] first", PageTableCategory, DiagnosticSeverity.Warning,
            "A [ReadsMemmap] member runs without its contexts and without a passed [OnlineCheck] on the path.");

        // {0} what sleeps, {1} atomic context, {2} where it was acquired
        public static readonly DiagnosticDescriptor MM3001 = Rule("MM3001", "Sleeping in atomic context",
            "{0} might sleep while '{1}' is held ({2})", AtomicCategory, DiagnosticSeverity.Error,
            "A [MightSleep] call or a sleeping acquire runs while an Atomic context (RCU, IRQs off, a spinlock, stop_machine) is held.");

        // {0} expression, {1} why
        public static readonly DiagnosticDescriptor MM9001 = Rule("MM9001", "Invalid context expression",
            "Invalid context expression '{0}': {1}", AnnotationCategory, DiagnosticSeverity.Error,
            "A context expression does not resolve, names a non-[Context] member, uses 'any T' where it is not allowed, or a role names an undeclared space or freeing.");

        // {0} condition, {1} why
        public static readonly DiagnosticDescriptor MM9002 = Rule("MM9002", "Malformed condition",
            "Malformed condition '{0}': {1}", AnnotationCategory, DiagnosticSeverity.Error,
            "A 'when' condition is not a boolean expression over preprocessor symbols.");

        // {0} member, {1} why
        public static readonly DiagnosticDescriptor MM9003 = Rule("MM9003", "Contradictory annotations",
            "Contradictory annotations on '{0}': {1}", AnnotationCategory, DiagnosticSeverity.Warning,
            "A member's annotations contradict each other.");

        // {0} member
        public static readonly DiagnosticDescriptor MM9004 = Rule("MM9004", "NoLockAnalysis without justification",
            "[NoLockAnalysis] on '{0}' needs a justification", AnnotationCategory, DiagnosticSeverity.Warning,
            "Every exemption from lock analysis says why.");

        // {0} helper, {1} what its callers must provide
        public static readonly DiagnosticDescriptor MM1012 = new DiagnosticDescriptor("MM1012", "Inferred contract",
            "'{0}' is analyzed at its callers: they must {1} (inferred)", ContextCategory, DiagnosticSeverity.Info, isEnabledByDefault: false,
            description: "A private helper without contract attributes gets the requirements its body leaves unsatisfied as an inferred contract, checked at every call; enable it (severity suggestion or above) to review them.",
            helpLinkUri: HelpBase + "MM1012.md");

        // {0} member, {1} exception, {2} first frame
        public static readonly DiagnosticDescriptor MM9999 = Rule("MM9999", "Analysis stopped",
            "The analysis of '{0}' stopped: {1} at {2}; please report", AnalysisCategory, DiagnosticSeverity.Warning,
            "The analyzer met code it could not analyze and reports nothing else for this member; it is a bug of the analyzer.");
    }
}
