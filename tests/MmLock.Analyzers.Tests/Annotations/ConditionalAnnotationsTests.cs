using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace MmLock.Analyzers.Tests.Annotations
{
    /// <summary>
    /// The attributes exist only for the analysis: every one is [Conditional("MMLOCK_ANNOTATIONS")], so a program compiled
    /// without the symbol keeps no trace of them, and a library compiled with it keeps them for its users (docs/annotations.md).
    /// </summary>
    public sealed class ConditionalAnnotationsTests
    {
        private const string Source = @"
using MmLock;
[assembly: PageTableSpace(""kernel"")]
[Context] public sealed class spinlock_t { }
public static class Locks
{
    [Acquires(""l""), NoLockAnalysis(""primitive"")] public static void spin_lock(spinlock_t l) { }
    [Requires(""l"")] public static void set_pte_locked(spinlock_t l) { }
}";

        [Fact]
        public void EveryAttribute_IsConditionalOnMmlockAnnotations()
        {
            var attributes = typeof(ContextAttribute).Assembly.GetExportedTypes()
                .Where(t => typeof(Attribute).IsAssignableFrom(t) && !t.IsAbstract).ToList();
            Assert.True(attributes.Count >= 30, $"only {attributes.Count} attribute types found");
            Assert.All(attributes, t => Assert.Contains(t.GetCustomAttributes<ConditionalAttribute>(), c => c.ConditionString == "MMLOCK_ANNOTATIONS"));
        }

        [Fact]
        public void WithoutTheSymbol_TheAssemblyNeitherCarriesNorReferencesTheAttributes()
        {
            var reader = Emit(keep: false);
            Assert.DoesNotContain(reader.AssemblyReferences, r => reader.GetString(reader.GetAssemblyReference(r).Name) == "MmLock.Annotations");
            Assert.DoesNotContain(AttributeTypeNames(reader), n => n.StartsWith("MmLock.", StringComparison.Ordinal));
        }

        [Fact]
        public void WithTheSymbol_TheLibraryKeepsEveryAttribute()
        {
            var reader = Emit(keep: true);
            Assert.Contains(reader.AssemblyReferences, r => reader.GetString(reader.GetAssemblyReference(r).Name) == "MmLock.Annotations");
            Assert.Equal(new[] { "MmLock.AcquiresAttribute", "MmLock.ContextAttribute", "MmLock.NoLockAnalysisAttribute", "MmLock.PageTableSpaceAttribute", "MmLock.RequiresAttribute" },
                AttributeTypeNames(reader).Where(n => n.StartsWith("MmLock.", StringComparison.Ordinal)).Distinct().OrderBy(n => n, StringComparer.Ordinal));
        }

        private static MetadataReader Emit(bool keep)
        {
            var tree = CSharpSyntaxTree.ParseText(Source, new CSharpParseOptions(preprocessorSymbols: keep ? new[] { "MMLOCK_ANNOTATIONS" } : Array.Empty<string>()));
            var compilation = CSharpCompilation.Create("Lib", new[] { tree },
                Basic.Reference.Assemblies.Net80.References.All.Append(MetadataReference.CreateFromFile(typeof(ContextAttribute).Assembly.Location)),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            var image = new MemoryStream();
            var result = compilation.Emit(image);
            Assert.True(result.Success, string.Join("\n", result.Diagnostics));
            return new PEReader(new MemoryStream(image.ToArray())).GetMetadataReader();
        }

        private static string[] AttributeTypeNames(MetadataReader reader) => reader.CustomAttributes.Select(h =>
        {
            var ctor = reader.GetCustomAttribute(h).Constructor;
            if (ctor.Kind != HandleKind.MemberReference) return "";
            var parent = reader.GetMemberReference((MemberReferenceHandle)ctor).Parent;
            if (parent.Kind != HandleKind.TypeReference) return "";
            var type = reader.GetTypeReference((TypeReferenceHandle)parent);
            return reader.GetString(type.Namespace) + "." + reader.GetString(type.Name);
        }).ToArray();
    }
}
