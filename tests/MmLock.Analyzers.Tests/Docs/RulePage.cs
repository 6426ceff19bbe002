using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace MmLock.Analyzers.Tests.Docs
{
    /// <summary>A ```csharp block of a rule page: its label ("Bad", "Good" or null), its code and the page line of its fence.</summary>
    public sealed record CodeBlock(string? Label, string Code, int FenceLine);

    /// <summary>
    /// One rule page, docs/rules/MMxxxx.md, read by the convention of docs/rules/README.md ("Conventions on the rule
    /// pages"): the title and header lines, the "## Message" section (the format in backticks, the example messages as
    /// "> " lines), the "## Code fixes" section (the fix titles as "> " lines) and the ```csharp blocks, each labelled by
    /// the nearest non-blank line before its fence.
    /// </summary>
    public sealed class RulePage
    {
        private static readonly Regex Fence = new(@"^\s*```(\S*)\s*$");
        private static readonly Regex Marker = new(@"//\s*(MM\d{4}(?:\s*,\s*MM\d{4})*)\b");
        private static readonly Regex Id = new(@"MM\d{4}");

        public string[] Lines { get; }
        public IReadOnlyList<CodeBlock> Blocks { get; }

        private RulePage(string[] lines)
        {
            Lines = lines;
            Blocks = ReadBlocks(lines);
        }

        private static readonly string RepoRoot = FindRepoRoot();

        public static string RulesDirectory => Path.Combine(RepoRoot, "docs", "rules");

        public static string KernelTypes => File.ReadAllText(Path.Combine(RepoRoot, "docs", "examples", "KernelTypes.cs"));

        /// <summary>The IDs of the pages MM*.md, in order.</summary>
        public static IEnumerable<string> All() =>
            Directory.GetFiles(RulesDirectory, "MM*.md").Select(Path.GetFileNameWithoutExtension).Select(n => n!).OrderBy(n => n, StringComparer.Ordinal);

        /// <summary>Pages whose rule no code provokes on purpose (MM9999 is an analyzer bug): they show their message as text, no examples.</summary>
        public static readonly string[] WithoutExamples = { "MM1012", "MM9999" };

        /// <summary>The pages with a Bad and a Good example.</summary>
        public static IEnumerable<string> WithExamples() => All().Except(WithoutExamples);

        public static RulePage Load(string ruleId) => new(File.ReadAllLines(Path.Combine(RulesDirectory, ruleId + ".md")));

        /// <summary>The one block with this label; the structure test states that there is exactly one.</summary>
        public CodeBlock Block(string label) => Blocks.Single(b => b.Label == label);

        /// <summary>The lines of a "## " section up to the next one.</summary>
        private IEnumerable<string> Section(string heading) =>
            Lines.SkipWhile(l => l.Trim() != "## " + heading).Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal));

        /// <summary>The message format: the first line of the Message section that is all one code span.</summary>
        public string? MessageFormat =>
            Section("Message").Select(l => l.Trim()).FirstOrDefault(l => l.Length > 2 && l[0] == '`' && l[^1] == '`' && l.IndexOf('`', 1) == l.Length - 1) is { } f
                ? f[1..^1] : null;

        /// <summary>The example messages: the "> " lines of the Message section.</summary>
        public IReadOnlyList<string> ExampleMessages => Quoted("Message");

        /// <summary>The titles of the fixes offered for the Bad block: the "> " lines of the Code fixes section.</summary>
        public IReadOnlyList<string> FixTitles => Quoted("Code fixes");

        private IReadOnlyList<string> Quoted(string heading) =>
            Section(heading).Where(l => l.StartsWith("> ", StringComparison.Ordinal)).Select(l => l[2..].TrimEnd()).ToList();

        /// <summary>Expected (line, ID) pairs of a block, lines 1-based: a line comment that starts with IDs (<c>// MM2001, MM2001: why</c>).</summary>
        public static IReadOnlyList<(int Line, string Id)> Markers(CodeBlock block) =>
            block.Code.Split('\n').SelectMany((line, i) => Marker.Match(line) is { Success: true } m
                ? Id.Matches(m.Groups[1].Value).Select(id => (i + 1, id.Value))
                : Enumerable.Empty<(int, string)>()).ToList();

        private static List<CodeBlock> ReadBlocks(string[] lines)
        {
            var blocks = new List<CodeBlock>();
            for (var i = 0; i < lines.Length; i++)
            {
                if (Fence.Match(lines[i]) is not { Success: true } open) continue;
                var end = Array.FindIndex(lines, i + 1, l => Fence.Match(l) is { Success: true } m && m.Groups[1].Value.Length == 0);
                if (end < 0) throw new FormatException($"Unclosed code fence at line {i + 1}.");
                if (open.Groups[1].Value == "csharp")
                {
                    var label = lines.Take(i).Reverse().FirstOrDefault(l => l.Trim().Length > 0)?.Trim();
                    var kind = label is null ? null : label.StartsWith("Bad", StringComparison.Ordinal) ? "Bad" : label.StartsWith("Good", StringComparison.Ordinal) ? "Good" : null;
                    blocks.Add(new CodeBlock(kind, string.Join("\n", lines[(i + 1)..end]) + "\n", i + 1));
                }
                i = end;
            }
            return blocks;
        }

        private static string FindRepoRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MmLockAnalyzers.sln"))) return dir.FullName;
            throw new InvalidOperationException("MmLockAnalyzers.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
