using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace MmLock.Analyzers.Tests.Scenarios
{
    /// <summary>One expected diagnostic of a "before": ID, the configurations it is reported in, the exact span and message.</summary>
    public sealed record PairExpectation(string Id, IReadOnlySet<Configuration> In, int Line, int StartColumn, int EndColumn, string Message);

    /// <summary>
    /// A before/after pair of <c>samples/HistoricBugs</c>: a folder with <c>Before.cs</c>, <c>After.cs</c> and any shared files.
    /// The conventions (samples/HistoricBugs/README.md): <c>Before.cs</c> states where the scenario exists and, above each
    /// flagged line, what the analyzer reports there and in which configurations:
    /// <code>
    /// // exists in: x86_64 arm64 x86_64-legacy+rfc
    /// // models: upstream rfc                          (optional; default: upstream)
    /// ...
    ///         // expect MM2002 in all at `hugetlb.huge_pte_offset(mm, addr, sz)`:
    ///         //   Calling 'huge_pte_offset' looks up ...
    ///         var ptep = hugetlb.huge_pte_offset(mm, addr, sz);
    /// </code>
    /// Without <c>at</c> the span is the flagged line without indentation and a trailing <c>;</c>. <c>all</c> means every
    /// configuration the scenario exists in. A pair the rules cannot flag yet says why in a <c>// known gap:</c> line and
    /// marks the line that should be flagged with a <c>// gap:</c> comment above it, instead of expectations.
    /// </summary>
    public sealed class BeforeAfterPair
    {
        public static string Directory => Path.Combine(ArchProfiles.RepoRoot, "samples", "HistoricBugs");

        private static readonly Regex ExpectLine = new(@"^\s*// expect (MM\d{4}) in (.+?)(?: at `(.+)`)?:\s*$");

        public string Name { get; }
        public IReadOnlyList<(string Path, string Text)> Shared { get; }
        public (string Path, string Text) Before { get; }
        public (string Path, string Text) After { get; }
        public IReadOnlySet<Configuration> ExistsIn { get; }
        public IReadOnlyList<Configuration> Configurations { get; }
        public IReadOnlyList<PairExpectation> Expectations { get; }
        /// <summary>Why the rules cannot flag this "before" yet, or null.</summary>
        public string? KnownGap { get; }
        /// <summary>The 1-based line a known gap should be flagged on.</summary>
        public int GapLine { get; }

        public static IEnumerable<string> All() =>
            System.IO.Directory.GetDirectories(Directory).Select(Path.GetFileName).Where(n => File.Exists(Path.Combine(Directory, n!, "Before.cs")))
                .OrderBy(n => n, StringComparer.Ordinal)!;

        public static BeforeAfterPair Load(string name) => new(name);

        private BeforeAfterPair(string name)
        {
            Name = name;
            var dir = Path.Combine(Directory, name);
            (string, string) Read(string file) => ($"{name}/{file}", File.ReadAllText(Path.Combine(dir, file)));
            Before = Read("Before.cs");
            After = Read("After.cs");
            Shared = System.IO.Directory.GetFiles(dir, "*.cs").Select(Path.GetFileName)
                .Where(f => f != "Before.cs" && f != "After.cs").OrderBy(f => f, StringComparer.Ordinal).Select(f => Read(f!)).ToList();

            var lines = Before.Text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            var models = Header(lines, "models")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? new[] { Configuration.Upstream };
            Configurations = models.SelectMany(m => ArchProfiles.Names.Select(a => new Configuration(a, m))).ToList();
            ExistsIn = Set(Header(lines, "exists in") ?? throw Error("has no '// exists in:' line"));
            if (ExistsIn.Except(Configurations).FirstOrDefault() is { } notChecked)
                throw Error($"exists in {notChecked}, which its models do not check");

            var expectations = new List<PairExpectation>();
            for (var i = 0; i < lines.Count; i++)
            {
                var m = ExpectLine.Match(lines[i]);
                if (!m.Success) continue;
                var message = i + 1 < lines.Count && lines[i + 1].TrimStart().StartsWith("//   ", StringComparison.Ordinal)
                    ? lines[i + 1].TrimStart().Substring(2).Trim() : throw Error($"line {i + 1}: the message goes on the next line, after '//   '");
                var target = i + 2;
                while (target < lines.Count && (ExpectLine.IsMatch(lines[target]) || lines[target].TrimStart().StartsWith("//   ", StringComparison.Ordinal))) target++;
                if (target == lines.Count) throw Error($"line {i + 1}: no code line follows");
                var code = lines[target];
                var text = m.Groups[3].Success ? m.Groups[3].Value : code.Trim().TrimEnd(';');
                var start = code.IndexOf(text, StringComparison.Ordinal);
                if (start < 0 || code.IndexOf(text, start + 1, StringComparison.Ordinal) >= 0)
                    throw Error($"line {target + 1}: '{text}' does not occur exactly once");
                var configs = m.Groups[2].Value.Trim() == "all" ? ExistsIn : Set(m.Groups[2].Value);
                if (configs.Except(ExistsIn).FirstOrDefault() is { } outside)
                    throw Error($"line {i + 1}: expects a diagnostic in {outside}, where the scenario does not exist");
                expectations.Add(new PairExpectation(m.Groups[1].Value, configs, target + 1, start + 1, start + 1 + text.Length, message));
            }
            Expectations = expectations;
            if (After.Text.Contains("// expect ", StringComparison.Ordinal)) throw Error("After.cs has expectations; an after is clean");
            KnownGap = Header(lines, "known gap");
            if (KnownGap is not null)
            {
                GapLine = lines.FindIndex(l => l.TrimStart().StartsWith("// gap:", StringComparison.Ordinal)) + 2;
                if (GapLine == 1 || expectations.Count > 0) throw Error("is a known gap: it marks one '// gap:' line and states no expectations");
            }

            Exception Error(string what) => new FormatException($"samples/HistoricBugs/{name}/Before.cs {what}.");
        }

        private static string? Header(List<string> lines, string key) =>
            lines.Select(l => Regex.Match(l, $@"^// {key}:\s*(.+)$")).FirstOrDefault(m => m.Success)?.Groups[1].Value.Trim();

        private static IReadOnlySet<Configuration> Set(string names) =>
            names.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Configuration.Parse).ToHashSet();
    }
}
