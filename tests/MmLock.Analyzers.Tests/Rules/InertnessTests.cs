using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using MmLock.Analyzers.Contracts;
using Xunit;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>
    /// The pre-check that lets a project with the package and no annotation skip every body: inert only when nothing can
    /// carry a contract, whatever spelling names an attribute.
    /// </summary>
    public class InertnessTests
    {
        private const string Plain = @"namespace P { public class C { int f; public void M(int n) { for (int i = 0; i < n; i++) f += i; } } }";

        private static CSharpCompilation Compile(string name, string[] sources, params MetadataReference[] extra) => CSharpCompilation.Create(name,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(preprocessorSymbols: new[] { "MMLOCK_ANNOTATIONS" }), path: $"/0/Test{i}.cs")),
            Basic.Reference.Assemblies.Net80.References.All.Cast<MetadataReference>()
                .Append(MetadataReference.CreateFromFile(typeof(MmLock.ContextAttribute).Assembly.Location)).Concat(extra),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        private static bool Inert(Compilation compilation) => Inertness.IsInert(
            ContractModel.Create(compilation, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), CancellationToken.None)!, CancellationToken.None);

        // An emitted image lists only the assemblies it uses, as a package's library does.
        private static MetadataReference Image(Compilation library)
        {
            using var stream = new System.IO.MemoryStream();
            Assert.True(library.Emit(stream).Success);
            return MetadataReference.CreateFromImage(stream.ToArray());
        }

        [Fact]
        public void PlainSource_IsInert() => Assert.True(Inert(Compile("Plain", new[] { Plain })));

        [Theory]
        [InlineData("class D { [MmLock.Requires(\"l\")] void g(object l) { } }")]
        [InlineData("using MmLock; class D { [RequiresAttribute(\"l\")] void g(object l) { } }")]
        [InlineData("using R = MmLock.RequiresAttribute; class D { [R(\"l\")] void g(object l) { } }")]
        [InlineData("class D { [MmLock.\\u0052equires(\"l\")] void g(object l) { } }")]
        [InlineData("class D { [MmLock.Re\u00ADquires(\"l\")] void g(object l) { } }")]
        // A name in a comment is enough: the check is conservative, never precise.
        [InlineData("// Requires\nclass D { }")]
        public void AnySpellingOfAnAttributeName_IsNotInert(string source) =>
            Assert.False(Inert(Compile("Spelled", new[] { Plain, source })));

        [Fact]
        public void AReferenceThatUsesTheAttributes_IsNotInert()
        {
            var library = Compile("Annotated", new[] { "public static class Lib { [MmLock.Requires(\"l\")] public static void g(object l) { } }" });
            Assert.False(Inert(Compile("User", new[] { Plain }, Image(library))));
        }

        [Fact]
        public void AReferenceThatDoesNotUseTheAttributes_StaysInert()
        {
            var library = Compile("Unrelated", new[] { Plain.Replace("namespace P", "namespace Q") });
            Assert.True(Inert(Compile("User", new[] { Plain }, Image(library))));
        }
    }
}
