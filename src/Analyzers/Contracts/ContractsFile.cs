using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace MmLock.Analyzers.Contracts
{
    /// <summary>
    /// <c>mmlock.contracts.txt</c>: contracts for code that cannot be annotated. One line per member:
    /// a documentation-comment ID (a trailing <c>(*)</c> means every overload) and C# attribute lists;
    /// <c>assembly:</c> lines declare spaces and freeings. <c>#</c> starts a comment.
    /// </summary>
    internal sealed class ContractsFile
    {
        private ContractsFile(ImmutableDictionary<ISymbol, ImmutableArray<AttributeInfo>> members, ImmutableArray<AttributeInfo> assemblyAttributes, ImmutableArray<Diagnostic> errors)
        {
            Members = members;
            AssemblyAttributes = assemblyAttributes;
            Errors = errors;
        }

        public ImmutableDictionary<ISymbol, ImmutableArray<AttributeInfo>> Members { get; }
        public ImmutableArray<AttributeInfo> AssemblyAttributes { get; }
        /// <summary>Malformed lines, reported at compilation end since no document owns them.</summary>
        public ImmutableArray<Diagnostic> Errors { get; }

        public static ContractsFile? Read(Compilation compilation, AnalyzerOptions options, System.Threading.CancellationToken cancellation)
        {
            var files = options.AdditionalFiles
                .Where(f => string.Equals(Path.GetFileName(f.Path), ContractModel.ContractsFileName, System.StringComparison.OrdinalIgnoreCase))
                .ToList();
            if (files.Count == 0) return null;

            var members = new Dictionary<ISymbol, List<AttributeInfo>>(SymbolEqualityComparer.Default);
            var assembly = ImmutableArray.CreateBuilder<AttributeInfo>();
            var errors = ImmutableArray.CreateBuilder<Diagnostic>();
            foreach (var file in files)
            {
                var text = file.GetText(cancellation);
                if (text == null) continue;
                foreach (var line in text.Lines)
                {
                    var content = line.ToString();
                    int hash = content.IndexOf('#');
                    if (hash >= 0) content = content.Substring(0, hash);
                    if (content.Trim().Length == 0) continue;
                    var span = line.Span;
                    var location = Location.Create(file.Path, span, text.Lines.GetLinePositionSpan(span));
                    ReadLine(compilation, content.Trim(), location, members, assembly, errors);
                }
            }
            return new ContractsFile(
                members.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutableArray(), SymbolEqualityComparer.Default),
                assembly.ToImmutable(), errors.ToImmutable());
        }

        private static void ReadLine(Compilation compilation, string line, Location location, Dictionary<ISymbol, List<AttributeInfo>> members,
            ImmutableArray<AttributeInfo>.Builder assembly, ImmutableArray<Diagnostic>.Builder errors)
        {
            int bracket = line.IndexOf('[');
            if (bracket <= 0)
            {
                errors.Add(Diagnostic.Create(Descriptors.MM9001, location, line, "expected a documentation-comment ID followed by [attributes]"));
                return;
            }
            var id = line.Substring(0, bracket).Trim();
            var attributeText = line.Substring(bracket);

            var parsed = SyntaxFactory.ParseCompilationUnit("class __C { " + attributeText + " void __M() {} }");
            var method = parsed.DescendantNodes().OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (method == null || parsed.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error) || method.AttributeLists.Count == 0)
            {
                errors.Add(Diagnostic.Create(Descriptors.MM9001, location, attributeText, "not a C# attribute list"));
                return;
            }
            var infos = new List<AttributeInfo>();
            foreach (var attribute in method.AttributeLists.SelectMany(l => l.Attributes))
            {
                var info = AttributeInfo.FromSyntax(attribute, location, out var error);
                if (info == null)
                {
                    errors.Add(Diagnostic.Create(Descriptors.MM9001, location, attribute.ToString(), error ?? "malformed"));
                    continue;
                }
                if (info.When is { } when && Contexts.Condition.Parse(when, out var conditionError) == null)
                    errors.Add(Diagnostic.Create(Descriptors.MM9002, location, when, conditionError ?? "malformed"));
                infos.Add(info);
            }

            if (id == "assembly:")
            {
                assembly.AddRange(infos);
                return;
            }
            var symbols = Resolve(compilation, id);
            if (symbols.Count == 0)
            {
                errors.Add(Diagnostic.Create(Descriptors.MM9001, location, id, "no such member in the compilation or its references"));
                return;
            }
            foreach (var symbol in symbols)
            {
                if (!members.TryGetValue(symbol.OriginalDefinition, out var list)) members[symbol.OriginalDefinition] = list = new List<AttributeInfo>();
                list.AddRange(infos);
            }
        }

        private static List<ISymbol> Resolve(Compilation compilation, string id)
        {
            if (id.EndsWith("(*)", System.StringComparison.Ordinal) && id.StartsWith("M:", System.StringComparison.Ordinal))
            {
                var name = id.Substring(2, id.Length - 5);
                int dot = name.LastIndexOf('.');
                if (dot < 0) return new List<ISymbol>();
                var type = DocumentationCommentId.GetFirstSymbolForDeclarationId("T:" + name.Substring(0, dot), compilation) as INamedTypeSymbol;
                return type?.GetMembers(name.Substring(dot + 1)).OfType<IMethodSymbol>().Cast<ISymbol>().ToList() ?? new List<ISymbol>();
            }
            return DocumentationCommentId.GetSymbolsForDeclarationId(id, compilation).ToList();
        }
    }
}
