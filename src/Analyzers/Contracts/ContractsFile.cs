using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
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
                foreach (var line in ParsedText.Of(text, file.Path, cancellation).Lines)
                {
                    errors.AddRange(line.Errors);
                    if (line.Id == null) continue;
                    if (line.Id == "assembly:")
                    {
                        assembly.AddRange(line.Attributes);
                        continue;
                    }
                    var symbols = Resolve(compilation, line.Id);
                    if (symbols.Count == 0)
                        errors.Add(Diagnostic.Create(Descriptors.MM9001, line.Location, line.Id, "no such member in the compilation or its references"));
                    foreach (var symbol in symbols)
                    {
                        if (!members.TryGetValue(symbol.OriginalDefinition, out var list)) members[symbol.OriginalDefinition] = list = new List<AttributeInfo>();
                        list.AddRange(line.Attributes);
                    }
                }
            }
            return new ContractsFile(
                members.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutableArray(), SymbolEqualityComparer.Default),
                assembly.ToImmutable(), errors.ToImmutable());
        }

        /// <summary>
        /// A contracts file's lines parsed, independent of any compilation: kept per text, so the IDE's compilations
        /// (one per keystroke) share one parse while the file is unchanged, and only resolve the IDs again.
        /// </summary>
        internal sealed class ParsedText
        {
            private static readonly ConditionalWeakTable<SourceText, ParsedText> Cache = new ConditionalWeakTable<SourceText, ParsedText>();

            private ParsedText(string path, ImmutableArray<ParsedLine> lines)
            {
                Path = path;
                Lines = lines;
            }

            public string Path { get; }
            public ImmutableArray<ParsedLine> Lines { get; }

            public static ParsedText Of(SourceText text, string path, System.Threading.CancellationToken cancellation)
            {
                if (Cache.TryGetValue(text, out var cached))
                    return cached.Path == path ? cached : Parse(text, path, cancellation);
                var parsed = Parse(text, path, cancellation);
                // Two threads may parse the same text at once; both then use the one that was stored.
                var shared = Cache.GetValue(text, _ => parsed);
                return shared.Path == path ? shared : parsed;
            }

            private static ParsedText Parse(SourceText text, string path, System.Threading.CancellationToken cancellation)
            {
                var lines = ImmutableArray.CreateBuilder<ParsedLine>();
                foreach (var line in text.Lines)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var content = line.ToString();
                    int hash = content.IndexOf('#');
                    if (hash >= 0) content = content.Substring(0, hash);
                    if (content.Trim().Length == 0) continue;
                    var span = line.Span;
                    lines.Add(ParseLine(content.Trim(), Location.Create(path, span, text.Lines.GetLinePositionSpan(span))));
                }
                return new ParsedText(path, lines.ToImmutable());
            }
        }

        /// <summary>One line: its ID (null when malformed), its attributes, and the errors found without a compilation.</summary>
        internal sealed class ParsedLine
        {
            public ParsedLine(string? id, ImmutableArray<AttributeInfo> attributes, ImmutableArray<Diagnostic> errors, Location location)
            {
                Id = id;
                Attributes = attributes;
                Errors = errors;
                Location = location;
            }

            public string? Id { get; }
            public ImmutableArray<AttributeInfo> Attributes { get; }
            public ImmutableArray<Diagnostic> Errors { get; }
            public Location Location { get; }
        }

        private static ParsedLine ParseLine(string line, Location location)
        {
            ParsedLine Malformed(string subject, string why) =>
                new ParsedLine(null, ImmutableArray<AttributeInfo>.Empty, ImmutableArray.Create(Diagnostic.Create(Descriptors.MM9001, location, subject, why)), location);

            int bracket = line.IndexOf('[');
            if (bracket <= 0) return Malformed(line, "expected a documentation-comment ID followed by [attributes]");
            var id = line.Substring(0, bracket).Trim();
            var attributeText = line.Substring(bracket);

            var parsed = SyntaxFactory.ParseCompilationUnit("class __C { " + attributeText + " void __M() {} }");
            var method = parsed.DescendantNodes().OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (method == null || parsed.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error) || method.AttributeLists.Count == 0)
                return Malformed(attributeText, "not a C# attribute list");
            var infos = ImmutableArray.CreateBuilder<AttributeInfo>();
            var errors = ImmutableArray.CreateBuilder<Diagnostic>();
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
            return new ParsedLine(id, infos.ToImmutable(), errors.ToImmutable(), location);
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
