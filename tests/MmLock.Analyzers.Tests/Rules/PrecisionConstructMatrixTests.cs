using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp;
using MmLock.Analyzers.Tests.Verification;
using Xunit;
using Xunit.Abstractions;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>
    /// Issue 9, "Done when": every statement and expression kind, placed (a) between an acquire and its release, (b) around a
    /// release, (c) inside a try-acquire test, in one generated compilation that must report exactly what the rules demand.
    /// The negative control (n) places each construct with nothing held: every requirement inside it must be reported, so a
    /// construct the analysis skipped cannot pass.
    /// </summary>
    public class PrecisionConstructMatrixTests
    {
        private readonly ITestOutputHelper _output;

        public PrecisionConstructMatrixTests(ITestOutputHelper output) { _output = output; }

        private enum Host { Plain, Async, Iterator }

        /// <summary>
        /// A construct with holes: <c>$</c> a statement, <c>E</c> an int expression. <c>%R%</c> is the release in position (a)
        /// only (a construct that leaves early must release first). <c>[[ab:MM1004:text]]</c> is a diagnostic the rules demand on
        /// <c>text</c> in the listed positions. <paramref name="once"/>: every path runs each hole exactly once (so (b) applies).
        /// </summary>
        private sealed class Construct
        {
            public Construct(string kind, string text, bool once = true, Host host = Host.Plain)
            {
                Kind = kind; Text = text; Once = once; Host = host;
            }

            public string Kind { get; }
            public string Text { get; }
            public bool Once { get; }
            public Host Host { get; }
        }

        private static readonly Construct[] Statements =
        {
            new Construct("block", "{ $ }"),
            new Construct("if/else", "if (n > 0) { $ } else { $ }"),
            new Construct("if", "if (n > 0) { $ }", once: false),
            new Construct("switch", "switch (n) { case 0: $ break; case 1: { $ } break; default: $ break; }"),
            new Construct("switch patterns", "switch (box) { case { V: > 1 } b: $ break; case null: $ break; default: $ break; }"),
            new Construct("while", "while (n > 100) { $ n--; }", once: false),
            new Construct("while(true)+break", "while (true) { $ break; }"),
            new Construct("do/while", "do { $ } while (false);"),
            new Construct("for", "for (int i = 0; i < n; i++) { $ }", once: false),
            new Construct("for(;;)+break", "for (;;) { $ break; }"),
            new Construct("foreach", "foreach (var x in arr) { $ }", once: false),
            new Construct("foreach deconstruction", "foreach (var (p, q) in pairs) { $ }", once: false),
            new Construct("continue", "for (int i = 0; i < n; i++) { if (i == 2) continue; $ }", once: false),
            new Construct("try/finally", "try { $ } finally { n++; }"),
            new Construct("finally hole", "try { n++; } finally { $ }"),
            new Construct("try/catch", "try { $ } catch (System.Exception) { n++; }"),
            new Construct("catch reached by a throw", "try { if (n == 5) throw new System.InvalidOperationException(); $ } catch (System.InvalidOperationException) { $ }"),
            new Construct("catch when", "try { $ } catch (System.Exception e) when (e.Message.Length > 0) { n++; }"),
            new Construct("lock", "lock (gate) { $ }"),
            new Construct("using", "using (var d = new D()) { $ }"),
            new Construct("using declaration", "{ using var d = new D(); $ }"),
            new Construct("checked block", "checked { $ }"),
            new Construct("unchecked block", "unchecked { $ }"),
            new Construct("unsafe/fixed", "unsafe { fixed (int* p = arr) { *p = 1; $ } }"),
            new Construct("labeled/goto", "goto next; next: $"),
            new Construct("goto loop", "int g = 0; again: $ if (++g < 1) goto again;", once: false),
            new Construct("return", "if (n == 99) { $ %R% return; } $"),
            new Construct("throw", "if (n == 98) { $ %R% throw new System.Exception(); } $"),
            new Construct("local declaration", "int local = n; $ local++;"),
            new Construct("ref local", "ref int r = ref arr[0]; r = 2; $"),
            new Construct("deconstruction", "var (d1, d2) = (n, 2); $"),
            new Construct("local function", "int Twice(int x) => x * 2; n = Twice(n); $"),
            new Construct("lambda", "System.Func<int, int> f = x => x + 1; n = f(n); $"),
            new Construct("empty statement", "; $"),
            new Construct("expression statement", "n++; $"),
            new Construct("yield return", "[[ab:MM1010:yield return 1;]] $", host: Host.Iterator),
            new Construct("yield break", "if (n == 97) { $ %R% yield break; } $", host: Host.Iterator),
            new Construct("await", "[[ab:MM1010:await System.Threading.Tasks.Task.Yield()]]; $", host: Host.Async),
            new Construct("await foreach", "[[a:MM1010:await foreach (var x in [[a:MM1010:Seq()]]) { $ }]]", once: false, host: Host.Async),
            new Construct("await using", "await using (var ad = new AD()) { $ [[a:MM1010:}]]", host: Host.Async),
            new Construct("null-conditional assignment (C# 14)", "box?.V = 3; $"),
            new Construct("field keyword property (C# 14)", "Fp = n; $"),
            new Construct("extension member (C# 14)", "n = n.Twice; $"),
        };

        private static readonly Construct[] Expressions =
        {
            new Construct("expression", "E"),
            new Construct("parenthesized", "(E)"),
            new Construct("conditional", "n > 0 ? E : E"),
            new Construct("switch expression", "n switch { 0 => E, 1 => E, _ => E }"),
            new Construct("switch expression without discard", "n switch { 0 => E, > 0 => E, < 0 => E }"),
            new Construct("switch on the value", "(E) switch { > 0 => 1, _ => 0 }"),
            new Construct("checked", "checked(E + 1)"),
            new Construct("unchecked", "unchecked(E * 2)"),
            new Construct("binary", "E + n"),
            new Construct("unary", "-E"),
            new Construct("cast", "(int)(long)E"),
            new Construct("invocation", "X.Id(E)"),
            new Construct("named/optional arguments", "X.Two(b: E)"),
            new Construct("object creation", "new Box(E).V"),
            new Construct("target-typed new", "X.Of(new(E))"),
            new Construct("object initializer", "new Box(0) { V = E }.V"),
            new Construct("collection initializer", "new System.Collections.Generic.List<int> { E }.Count"),
            new Construct("array creation", "new int[] { E }[0]"),
            new Construct("implicit array", "new[] { E, 2 }.Length"),
            new Construct("collection expression", "((int[])[E, 2]).Length"),
            new Construct("spread", "((int[])[.. arr, E]).Length"),
            new Construct("stackalloc", "((System.Span<int>)stackalloc int[] { E })[0]"),
            new Construct("anonymous object", "new { A = E }.A"),
            new Construct("tuple", "(E, 1).Item1"),
            new Construct("element access", "arr[0] + E"),
            new Construct("index/range", "arr[(E * 0)..].Length + (^1).Value"),
            new Construct("member access", "E.ToString().Length"),
            new Construct("conditional access", "(E as object)?.GetHashCode() ?? 0"),
            new Construct("null coalescing", "(int?)E ?? 0"),
            new Construct("assignment", "n = E"),
            new Construct("compound assignment", "n += E"),
            new Construct("coalescing assignment", "(box ??= new Box(E)).V", once: false),
            new Construct("increment", "n++ + E"),
            new Construct("is type pattern", "E is int k ? k : 0"),
            new Construct("is relational/and", "E is > 0 and < 10 ? 1 : 0"),
            new Construct("is or/not", "E is 1 or not 2 ? 1 : 0"),
            new Construct("is var", "E is var v ? v : 0"),
            new Construct("positional pattern", "(E, n) is (1, _) ? 1 : 0"),
            new Construct("property pattern", "new Box(E) is { V: > 0 } ? 1 : 0"),
            new Construct("list pattern", "new[] { E } is [1, ..] ? 1 : 0"),
            new Construct("as", "(E as object) is null ? 0 : 1"),
            new Construct("interpolated string", "$\"{E}\".Length"),
            new Construct("raw string", "\"\"\"raw\"\"\".Length + E"),
            new Construct("typeof/sizeof/nameof/default", "typeof(int).Name.Length + sizeof(int) + nameof(n).Length + default(int) + E"),
            new Construct("lambda invoked", "((System.Func<int, int>)(x => x))(E)"),
            new Construct("anonymous method", "((System.Func<int, int>)delegate (int x) { return x; })(E)"),
            new Construct("query", "(from x in arr where x > 0 select x).Count() + E"),
            new Construct("with", "(rec with { V = E }).V"),
            new Construct("user-defined operator", "(new Box(E) + new Box(1)).V"),
            new Construct("indexer", "box[E]"),
            new Construct("throw expression", "n == 96 ? [[ab:MM1004:throw new System.Exception()]] : E"),
            new Construct("null-forgiving", "((object)E)!.GetHashCode()"),
            new Construct("ref expression", "X.Ref(ref arr[0]) + E"),
            new Construct("pointer", "X.Deref(E)"),
            new Construct("await expression", "[[a:MM1010:await System.Threading.Tasks.Task.FromResult(E)]]", host: Host.Async),
        };

        /// <summary>Try-acquire tests: <c>B</c> is <c>spin_trylock(l)</c>; the block under the condition holds <c>l</c>.</summary>
        private static readonly string[] Conditions =
        {
            "if (B) { @ }",
            "if ((B)) { @ }",
            "if (!!B) { @ }",
            "if (B == true) { @ }",
            "if (true == B) { @ }",
            "if (B != false) { @ }",
            "if (!(B == false)) { @ }",
            "if (n > 0 && B) { @ }",
            "if (!B) { } else { @ }",
            "if (!B) return; @",
            "while (!B) { n++; } @",
            "bool ok = B; if (ok) { @ }",
            "var ok = (B); if (ok) { @ }",
            "bool ok = n > 0 && B; if (ok) { @ }",
            "bool failed = !B; if (!failed) { @ }",
            "bool failed = !B; if (failed) return; @",
            "if (B is true) { @ }",
            "if (B is not false) { @ }",
            "if (B is false) return; @",
            "if (!(B is false)) { @ }",
            "switch (B) { case true: @ break; case false: break; }",
            "int err = B ? 0 : -16; if (err == 0) { @ }",
        };

        private const string HostTypes = @"
using System.Linq; using MmLock; using K;
sealed class D : System.IDisposable { public void Dispose() { } }
sealed class AD : System.IAsyncDisposable { public System.Threading.Tasks.ValueTask DisposeAsync() => default; }
sealed class Box {
    public int V;
    public Box(int v) { V = v; }
    public int this[int i] => i;
    public static Box operator +(Box a, Box b) => new Box(a.V + b.V);
}
record Rec(int V);
static class X {
    public static int Id(int x) => x;
    public static int Two(int a = 0, int b = 0) => a + b;
    public static int Of(Box b) => b.V;
    public static int Ref(ref int x) => x;
    public static unsafe int Deref(int x) { int* p = &x; return *p; }
    extension(int i) { public int Twice => i * 2; }
}
partial class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    [Requires(""l"")] static int need_ret(spinlock_t l) => 0;
    [Releases(""l""), NoLockAnalysis(""primitive"")] static int unlock_ret(spinlock_t l) { L.spin_unlock(l); return 0; }
    static int Fp { get; set => field = value; }
    static async System.Collections.Generic.IAsyncEnumerable<int> Seq() { await System.Threading.Tasks.Task.Yield(); yield return 1; }
}";

        private static readonly Regex Marker = new Regex(@"\[\[([a-z]+):(MM\d{4}):((?:(?!\[\[).)*?)\]\]");

        /// <summary>One cell: the construct in a position, as a method of its own.</summary>
        private static string Cell(Construct construct, bool expression, char position, int index)
        {
            string hole, value, before = "", after = "", release = "";
            switch (position)
            {
                case 'a':
                    hole = "need(l);"; value = "need_ret(l)"; before = "L.spin_lock(l);"; after = "L.spin_unlock(l);"; release = "L.spin_unlock(l);";
                    break;
                case 'n':
                    hole = "{|MM1001:need(l)|};"; value = "{|MM1001:need_ret(l)|}";
                    break;
                case 'b':
                    hole = "L.spin_unlock(l);"; value = "unlock_ret(l)"; before = "L.spin_lock(l);";
                    break;
                default:
                    hole = "if (L.spin_trylock(l)) { need(l); L.spin_unlock(l); }"; value = "(L.spin_trylock(l) ? need_ret(l) + unlock_ret(l) : 0)";
                    break;
            }
            var text = construct.Text.Replace("%R%", release);
            // Innermost markers first, so one may wrap another.
            for (var previous = ""; previous != text;)
            {
                previous = text;
                text = Marker.Replace(text, m => m.Groups[1].Value.IndexOf(position) >= 0 ? "{|" + m.Groups[2].Value + ":" + m.Groups[3].Value + "|}" : m.Groups[3].Value);
            }
            text = expression ? "n = " + Regex.Replace(text, @"\bE\b", value) + ";" : text.Replace("$", hole);
            return Method(construct.Host, "M" + position + index, before + " " + text + " " + after);
        }

        private static string Method(Host host, string name, string body)
        {
            const string parameters = "(spinlock_t l, int n, int[] arr, object gate, Box box, (int, int)[] pairs, Rec rec)";
            switch (host)
            {
                case Host.Async: return $"    static async System.Threading.Tasks.Task {name}{parameters} {{ {body} }}\n";
                case Host.Iterator: return $"    static System.Collections.Generic.IEnumerable<int> {name}{parameters} {{ {body} yield break; }}\n";
                default: return $"    static unsafe void {name}{parameters} {{ {body} }}\n";
            }
        }

        [Fact]
        public async Task EveryConstruct_InEveryPosition_ReportsExactlyWhatTheRulesDemand()
        {
            var source = new StringBuilder(HostTypes).Append("\npartial class C {\n");
            var cells = new Dictionary<char, int> { ['a'] = 0, ['n'] = 0, ['b'] = 0, ['c'] = 0 };
            int index = 0;
            foreach (var (constructs, expression) in new[] { (Statements, false), (Expressions, true) })
                foreach (var construct in constructs)
                    foreach (var position in new[] { 'a', 'n', 'b', 'c' })
                    {
                        if (position == 'b' && !construct.Once) continue;
                        source.Append(Cell(construct, expression, position, index++));
                        cells[position]++;
                    }
            foreach (var condition in Conditions)
            {
                var body = Regex.Replace(condition, @"\bB\b", "L.spin_trylock(l)").Replace("@", "need(l); L.spin_unlock(l);");
                source.Append(Method(Host.Plain, "Mt" + index++, body));
                cells['c']++;
            }
            source.Append("}\n");

            _output.WriteLine($"construct matrix: {Statements.Length} statement kinds, {Expressions.Length} expression kinds, {Conditions.Length} try-acquire tests");
            _output.WriteLine($"cells: (a) between acquire and release {cells['a']}, (b) around a release {cells['b']}, (c) in a try-acquire test {cells['c']}, " +
                              $"(n) negative control {cells['n']}; total {cells.Values.Sum()}");

            var test = new AnalyzerTest<MmLockAnalyzer> { LanguageVersion = LanguageVersion.Preview, CheckIdeConsistency = false };
            test.Sources.Add(("/0/Kernel.cs", Kernel.Prelude));
            test.Sources.Add(("/0/Test0.cs", source.ToString()));
            await test.RunAsync();
            _output.WriteLine("result: every cell reported exactly the diagnostics the rules demand");
        }
    }
}
