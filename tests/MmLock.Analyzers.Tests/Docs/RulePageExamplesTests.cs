using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using MmLock.CodeFixes;
using MmLock.Analyzers.Tests.Verification;
using Xunit;

namespace MmLock.Analyzers.Tests.Docs
{
    /// <summary>
    /// The rule pages' examples are what the analyzer says (docs/rules/README.md, "Conventions on the rule pages"). Each
    /// page's Bad and Good block compiles, without compiler errors, as a file of its own together with
    /// docs/examples/KernelTypes.cs and the MmLock attributes, in the pages' configuration. The Bad block gets exactly the
    /// diagnostics its <c>// MMxxxx</c> comments mark (ID and line), each example message of the page is the exact
    /// message of one of them, and the fix titles the page shows are those offered for them; the Good block gets none.
    /// The page headers and the catalogue are the descriptors'.
    /// </summary>
    public class RulePageExamplesTests
    {
        /// <summary>The configuration the pages are written for (README.md).</summary>
        private static readonly string[] Symbols = { "CONFIG_MEMORY_HOTREMOVE", "CONFIG_HAVE_ARCH_HUGE_VMAP", "CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING" };

        public static IEnumerable<object[]> Examples() =>
            RulePage.WithExamples().SelectMany(page => new[] { new object[] { page, "Bad" }, new object[] { page, "Good" } });

        public static IEnumerable<object[]> Pages() => RulePage.All().Select(page => new object[] { page });

        public static IEnumerable<object[]> PagesWithExamples() => RulePage.WithExamples().Select(page => new object[] { page });

        [Theory]
        [MemberData(nameof(Examples))]
        public async Task Example_GetsExactlyTheMarkedDiagnostics(string page, string block)
        {
            var rule = RulePage.Load(page);
            var code = rule.Block(block);
            var path = DocumentPath(page, block);
            var (_, diagnostics) = await AnalyzeAsync(page, block, code, ideChecks: true);

            var expected = RulePage.Markers(code).Select(m => $"{m.Line}: {m.Id}").OrderBy(s => s, StringComparer.Ordinal).ToList();
            var actual = diagnostics.Select(d => d.Location.GetLineSpan() is var l && l.Path == path ? $"{l.StartLinePosition.Line + 1}: {d.Id}" : $"{l.Path}: {d.Id}")
                .OrderBy(s => s, StringComparer.Ordinal).ToList();
            if (!expected.SequenceEqual(actual))
                throw new VerificationException($"{page}.md, {block} block (fence at line {code.FenceLine}): expected (line: ID) [{string.Join(", ", expected)}], " +
                    $"got [{string.Join(", ", actual)}]:\n{string.Join("\n", diagnostics.Select(AnalyzerTestBase.Format))}");

            if (block != "Bad") return;
            var messages = diagnostics.Where(d => d.Id == page).Select(d => d.GetMessage(CultureInfo.InvariantCulture)).ToList();
            foreach (var example in rule.ExampleMessages)
                if (!messages.Remove(example))
                    throw new VerificationException($"{page}.md: the example message\n  {example}\nis not the message of a {page} of the Bad block, which are:\n  " +
                        string.Join("\n  ", diagnostics.Where(d => d.Id == page).Select(d => d.GetMessage(CultureInfo.InvariantCulture))));
        }

        /// <summary>
        /// The "> " lines of the Code fixes section are the titles of every action offered for the page's diagnostics of the
        /// Bad block, in source order then in the order offered (dotnet format applies the first); none means no fix is offered.
        /// </summary>
        [Theory]
        [MemberData(nameof(PagesWithExamples))]
        public async Task Bad_OffersExactlyTheFixesThePageShows(string page)
        {
            var rule = RulePage.Load(page);
            var (solution, diagnostics) = await AnalyzeAsync(page, "Bad", rule.Block("Bad"), ideChecks: false);
            var titles = new List<string>();
            foreach (var diagnostic in diagnostics.Where(d => d.Id == page).OrderBy(d => d.Location.SourceSpan.Start))
                foreach (var provider in Providers.Where(p => p.FixableDiagnosticIds.Contains(page)))
                {
                    var actions = new List<CodeAction>();
                    await provider.RegisterCodeFixesAsync(new CodeFixContext(solution.GetDocument(diagnostic.Location.SourceTree)!, diagnostic,
                        (action, _) => actions.Add(action), CancellationToken.None));
                    titles.AddRange(actions.Select(a => a.Title).Where(t => !titles.Contains(t)));
                }
            Assert.True(rule.FixTitles.SequenceEqual(titles), $"{page}.md, Code fixes: the page shows\n> {string.Join("\n> ", rule.FixTitles)}\n" +
                $"but the fixes offered for the Bad block are\n> {string.Join("\n> ", titles)}");
        }

        /// <summary>Everything the example test relies on is there, so a page cannot pass by having nothing to check.</summary>
        [Theory]
        [MemberData(nameof(PagesWithExamples))]
        public void Page_HasOneCheckedBadAndGoodExample(string page)
        {
            var rule = RulePage.Load(page);
            Assert.All(rule.Blocks, b => Assert.True(b.Label is not null, $"{page}.md: the csharp block at line {b.FenceLine} is neither Bad nor Good (use ```text for other code)"));
            Assert.Single(rule.Blocks, b => b.Label == "Bad");
            Assert.Single(rule.Blocks, b => b.Label == "Good");
            Assert.Contains(RulePage.Markers(rule.Block("Bad")), m => m.Id == page);
            Assert.Empty(RulePage.Markers(rule.Block("Good")));
            Assert.NotEmpty(rule.ExampleMessages);
        }

        [Theory]
        [MemberData(nameof(Pages))]
        public void Page_HeaderAndMessageFormatAreTheDescriptors(string page)
        {
            var rule = RulePage.Load(page);
            var descriptor = Descriptor(page);
            Assert.Equal($"# {page}: {descriptor.Title}", rule.Lines[0]);
            var fixable = Providers.Any(p => p.FixableDiagnosticIds.Contains(page));
            Assert.Equal($"**Severity:** {descriptor.DefaultSeverity} · **Category:** `{descriptor.Category}` · **Code fix:** {(fixable ? "Yes" : "None")}", rule.Lines[2]);
            Assert.Equal(descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), rule.MessageFormat);
        }

        /// <summary>A page without examples shows its message format filled in as text and says why it has no example.</summary>
        [Theory]
        [InlineData("MM1012")]
        [InlineData("MM9999")]
        public void PageWithoutExamples_ShowsItsMessageAndSaysWhy(string page)
        {
            var rule = RulePage.Load(page);
            Assert.Contains(page, RulePage.WithoutExamples);
            Assert.Empty(rule.Blocks);
            Assert.NotEmpty(rule.ExampleMessages);
            Assert.Contains(rule.Lines, l => l.StartsWith("## Why there is no example", StringComparison.Ordinal));
        }

        [Fact]
        public void EveryRuleHasAPage() =>
            Assert.Equal(new MmLockAnalyzer().SupportedDiagnostics.Select(d => d.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal), RulePage.All());

        /// <summary>The catalogue (docs/rules/README.md) lists every rule with its descriptor's title, severity and category.</summary>
        [Fact]
        public void Catalogue_IsTheDescriptors()
        {
            var rows = File.ReadAllLines(Path.Combine(RulePage.RulesDirectory, "README.md"))
                .Where(l => l.StartsWith("| [MM", StringComparison.Ordinal))
                .Select(l => l.Split('|').Select(c => c.Trim()).ToArray())
                .Select(c => string.Join(" | ", c[1], c[2], c[3], c[4])).ToList();
            var descriptors = new MmLockAnalyzer().SupportedDiagnostics.OrderBy(d => d.Id, StringComparer.Ordinal)
                .Select(d => string.Join(" | ", $"[{d.Id}]({d.Id}.md)", d.Title, d.DefaultSeverity, d.Category)).ToList();
            Assert.Equal(descriptors, rows);
        }

        private static string DocumentPath(string page, string block) => $"/0/{page}.{block}.cs";

        /// <summary>The block as a file of its own beside KernelTypes.cs, through the harness (compiler errors and AD0001 fail).</summary>
        private static async Task<(Solution, ImmutableArray<Diagnostic>)> AnalyzeAsync(string page, string block, CodeBlock code, bool ideChecks)
        {
            var test = new AnalyzerTest<MmLockAnalyzer>();
            test.PreprocessorSymbols.AddRange(Symbols);
            var solution = test.CreateSolution(new[] { ("/0/KernelTypes.cs", RulePage.KernelTypes), (DocumentPath(page, block), code.Code) });
            return (solution, await test.AnalyzeAsync(solution, ideChecks, $"{block} block of {page}.md (fence at line {code.FenceLine})"));
        }

        private static readonly CodeFixProvider[] Providers = typeof(RequirementCodeFix).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(CodeFixProvider)) && !t.IsAbstract).OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!).ToArray();

        private static DiagnosticDescriptor Descriptor(string id) => new MmLockAnalyzer().SupportedDiagnostics.Single(d => d.Id == id);
    }
}
