using System;

namespace MmLock
{
    internal static class Targets
    {
        /// <summary>
        /// Every MmLock attribute is conditional on this symbol: the analyzers read it from source in any build, but the
        /// compiler keeps it in the assembly only where the symbol is defined (a library whose contracts its users'
        /// analysis must see: MmLockExportContracts, docs/annotations.md). Elsewhere the program has no trace of it.
        /// </summary>
        public const string KeepSymbol = "MMLOCK_ANNOTATIONS";

        /// <summary>Where contract attributes may stand: methods (also lambdas, local functions and accessors), constructors, properties (both accessors) and delegates (their Invoke).</summary>
        public const AttributeTargets Members =
            AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Property | AttributeTargets.Delegate;
    }

    /// <summary>Base of every MmLock attribute that may be switched off by a build configuration.</summary>
    public abstract class ConditionalContractAttribute : Attribute
    {
        /// <summary>
        /// A condition over the compilation's preprocessor symbols (<c>CONFIG_X &amp;&amp; !CONFIG_Y</c>).
        /// When it is false the analyzer treats the attribute as absent. Malformed conditions are MM9002.
        /// </summary>
        public string? When { get; set; }
    }

    /// <summary>Base of attributes that carry a list of context expressions.</summary>
    public abstract class ContextListAttribute : ConditionalContractAttribute
    {
        /// <summary>Creates the attribute with its context expressions.</summary>
        protected ContextListAttribute(string[] contexts) { Contexts = contexts ?? new string[0]; }

        /// <summary>The context expressions, each optionally prefixed with <c>shared </c> or <c>exclusive </c> and suffixed with <c> when CONDITION</c>.</summary>
        public string[] Contexts { get; }
    }
}
