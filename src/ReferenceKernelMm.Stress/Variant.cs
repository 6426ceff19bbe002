using System;
using System.Collections.Generic;
using System.Linq;
using ReferenceKernelMm.arch;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.Stress
{
    /// <summary>
    /// A broken variant: one kernel function copied with its guard removed, run in place of the port's function.
    /// It names the rule the analyzers report on it and the violation the run-time checks report.
    /// </summary>
    public sealed class Variant
    {
        private Variant(string name, string bug, string description, string[] expected_ids, ViolationKind expected_kind,
            Func<ArchProfile, bool> applies_to, string replaces, Action<KernelFunctions> install)
        {
            this.name = name;
            this.bug = bug;
            this.description = description;
            this.expected_ids = expected_ids;
            this.expected_kind = expected_kind;
            this.applies_to = applies_to;
            this.replaces = replaces;
            this.install = install;
        }

        /// <summary>The name given to --variant.</summary>
        public readonly string name;

        /// <summary>The kernel bug it reproduces (kernel-rules.md: G1, A, E, ...).</summary>
        public readonly string bug;

        /// <summary>One line: what guard is missing and what it races with.</summary>
        public readonly string description;

        /// <summary>The MM rule IDs the analyzers report on its source.</summary>
        public readonly string[] expected_ids;

        /// <summary>The violation the run-time checks (KASAN, lockdep) report.</summary>
        public readonly ViolationKind expected_kind;

        /// <summary>The profiles in which the bug exists; elsewhere the driver refuses to run it.</summary>
        public readonly Func<ArchProfile, bool> applies_to;

        /// <summary>The kernel function it replaces.</summary>
        public readonly string replaces;

        internal readonly Action<KernelFunctions> install;

        /// <summary>The profiles it applies to, by name.</summary>
        public IEnumerable<string> profiles => ArchProfile.All.Values.Where(applies_to).Select(p => p.Name);

        /// <summary>Creates a variant that replaces the function of <paramref name="slot"/> with <paramref name="fn"/>.</summary>
        public static Variant Replacing<T>(string name, string bug, string description, string[] expected_ids, ViolationKind expected_kind,
            Func<ArchProfile, bool> applies_to, Func<KernelFunctions, Slot<T>> slot, T fn) where T : Delegate =>
            new(name, bug, description, expected_ids, expected_kind, applies_to, slot(new KernelFunctions()).name, k => slot(k).fn = fn);
    }
}
