using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MmLock.Bench
{
    /// <summary>
    /// What a code base is made of, as far as the analysis cares: per body, the lock calls, walkers, loops,
    /// try/finally and using guards, and how many calls go to a method declared in another file. Run on the
    /// port and on the corpus, so the generator's shares can be checked against the port's.
    /// </summary>
    public sealed class Shape
    {
        public int Files, Lines, Bodies, LockingBodies, NoAnalysisBodies, ContractBodies;
        public int Acquires, TryAcquires, Walkers, Loops, TryFinally, UsingGuards, SourceCalls, CrossFileCalls;

        public static Shape Of(Compilation compilation)
        {
            var shape = new Shape();
            foreach (var tree in compilation.SyntaxTrees)
            {
                shape.Files++;
                shape.Lines += tree.GetText().Lines.Count;
                var model = compilation.GetSemanticModel(tree);
                foreach (var body in tree.GetRoot().DescendantNodes().Where(IsBody))
                    shape.Add(model, body, tree);
            }
            return shape;
        }

        private static bool IsBody(SyntaxNode node) =>
            node is BaseMethodDeclarationSyntax { Body: not null } or BaseMethodDeclarationSyntax { ExpressionBody: not null }
                or AccessorDeclarationSyntax { Body: not null } or AccessorDeclarationSyntax { ExpressionBody: not null }
                or LocalFunctionStatementSyntax;

        private void Add(SemanticModel model, SyntaxNode body, SyntaxTree tree)
        {
            Bodies++;
            var own = model.GetDeclaredSymbol(body);
            var ownNames = own == null ? new HashSet<string>() : MmLockAttributes(own);
            if (ownNames.Contains("NoLockAnalysis")) NoAnalysisBodies++;
            else if (ownNames.Count > 0) ContractBodies++;
            bool locking = false;
            // Nested local functions count as bodies of their own.
            foreach (var node in body.DescendantNodes(n => n == body || n is not LocalFunctionStatementSyntax))
            {
                switch (node)
                {
                    case ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax: Loops++; break;
                    case TryStatementSyntax { Finally: not null }: TryFinally++; break;
                    case UsingStatementSyntax: UsingGuards++; break;
                    case LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 }: UsingGuards++; break;
                    case InvocationExpressionSyntax invocation when model.GetSymbolInfo(invocation).Symbol is IMethodSymbol target:
                        var names = MmLockAttributes(target.ReducedFrom ?? target);
                        if (names.Contains("Acquires") || names.Contains("AcquiresShared")) { Acquires++; locking = true; }
                        if (names.Contains("TryAcquires") || names.Contains("TryAcquiresShared")) { TryAcquires++; locking = true; }
                        if (names.Contains("Releases") || names.Contains("ReleasesShared")) locking = true;
                        if (names.Contains("PageTableWalker")) Walkers++;
                        var declared = target.OriginalDefinition.DeclaringSyntaxReferences;
                        if (declared.Length > 0)
                        {
                            SourceCalls++;
                            if (declared.All(r => r.SyntaxTree != tree)) CrossFileCalls++;
                        }
                        break;
                }
            }
            if (locking) LockingBodies++;
        }

        private static HashSet<string> MmLockAttributes(ISymbol symbol) => new(symbol.GetAttributes()
            .Where(a => a.AttributeClass?.ContainingNamespace?.Name == "MmLock")
            .Select(a => a.AttributeClass!.Name.Replace("Attribute", "")));

        public void Print(string title)
        {
            string per(int n) => $"{n,7} ({1000.0 * n / Lines,5:F1} per 1k lines, {100.0 * n / Bodies,5:F1} per 100 bodies)";
            Console.WriteLine($"{title}: {Files} files, {Lines} lines, {Bodies} bodies ({(double)Lines / Bodies:F1} lines per body)");
            Console.WriteLine($"  locking bodies    {per(LockingBodies)}");
            Console.WriteLine($"  [NoLockAnalysis]  {per(NoAnalysisBodies)}");
            Console.WriteLine($"  own contract      {per(ContractBodies)}");
            Console.WriteLine($"  acquire calls     {per(Acquires)}");
            Console.WriteLine($"  try-acquire calls {per(TryAcquires)}");
            Console.WriteLine($"  walker calls      {per(Walkers)}");
            Console.WriteLine($"  loops             {per(Loops)}");
            Console.WriteLine($"  try/finally       {per(TryFinally)}");
            Console.WriteLine($"  using guards      {per(UsingGuards)}");
            Console.WriteLine($"  calls to source   {per(SourceCalls)}, {100.0 * CrossFileCalls / Math.Max(1, SourceCalls):F0}% across files");
        }

        /// <summary>The C# files of a folder compiled with the corpus' references (enough to bind calls; errors do not matter here).</summary>
        public static Compilation CompileFolder(string folder)
        {
            var options = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);
            var trees = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Where(p => !p.Contains("/obj/") && !p.Contains("/bin/"))
                .OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => CSharpSyntaxTree.ParseText(File.ReadAllText(p), options, path: p));
            return CSharpCompilation.Create("Shape", trees, Workload.References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        }
    }
}
