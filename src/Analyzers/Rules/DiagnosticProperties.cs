using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace MmLock.Analyzers.Rules
{
    /// <summary>
    /// Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/>: what a report is about in canonical context keys,
    /// for the code fixes. Messages are for people; a fix never parses them.
    /// </summary>
    internal static class DiagnosticProperties
    {
        /// <summary>
        /// MM1001, MM2001–MM2004, MM2006, MM2007: the clause kind (<see cref="Contracts.ClauseKind"/> name). MM1002: "NotHeld" or
        /// "WrongMode". MM1008: "acquire", "release", "mode" (acquired in the other mode) or "keep" (a Requires* body releasing its requirement). MM3001: "call" (a [MightSleep] member) or "acquire" (a sleeping acquire).
        /// </summary>
        public const string Kind = "Kind";

        /// <summary>Requirement rules: the keys of every missing clause's alternatives (clauses split by '\n', alternatives by '\t').</summary>
        public const string Missing = "Missing";

        /// <summary>MM1002, MM1004, MM1008: the context named; MM2005: the context whose release expired the reference; MM3001: the Atomic context.</summary>
        public const string Context = "Context";

        /// <summary>MM2005: the span ("start:length") of the [ReturnsGuarded] call that produced the reference, in the same document.</summary>
        public const string Lookup = "Lookup";

        /// <summary>MM1011: the documentation-comment ID of the delegate type (its original definition).</summary>
        public const string Delegate = "Delegate";

        /// <summary>MM1011: "true" when the delegate type is declared in source (the fix adds the attributes to it), else "false".</summary>
        public const string DelegateInSource = "DelegateInSource";

        /// <summary>MM1011: the converted method's documentation-comment ID, or for a lambda its span ("start:length") in the same document.</summary>
        public const string Member = "Member";

        public const string NotHeld = "NotHeld";
        public const string WrongMode = "WrongMode";

        // Context keys never contain whitespace (opaque expressions are keyed without it), so these separators are safe.
        private const char ClauseSeparator = '\n';
        private const char AlternativeSeparator = '\t';

        public static string JoinClauses(IEnumerable<IEnumerable<string>> clauses) =>
            string.Join(ClauseSeparator.ToString(), clauses.Select(c => string.Join(AlternativeSeparator.ToString(), c)));

        public static ImmutableArray<ImmutableHashSet<string>> SplitClauses(string? text) =>
            string.IsNullOrEmpty(text)
                ? ImmutableArray<ImmutableHashSet<string>>.Empty
                : text!.Split(ClauseSeparator).Select(c => c.Split(AlternativeSeparator).ToImmutableHashSet()).ToImmutableArray();

        public static ImmutableDictionary<string, string?> Of(params (string Key, string? Value)[] entries) =>
            entries.Where(e => e.Value != null).ToImmutableDictionary(e => e.Key, e => e.Value);
    }
}
