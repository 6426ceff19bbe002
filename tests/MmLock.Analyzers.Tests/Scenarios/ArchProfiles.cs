using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MmLock.Analyzers.Tests.Scenarios
{
    /// <summary>
    /// The architecture profiles of <c>src/ReferenceKernelMm/ArchProfiles.props</c>, read from the file itself so the tests
    /// and the builds cannot drift. A small evaluator of what that file uses: property groups and properties with
    /// <c>'$(P)' == 'v'</c> / <c>!=</c> conditions joined by <c>and</c>/<c>or</c>, and <c>$(P)</c> expansion.
    /// Anything else fails loudly.
    /// </summary>
    public static class ArchProfiles
    {
        public static string RepoRoot { get; } = FindRepoRoot();

        public static string PropsPath => Path.Combine(RepoRoot, "src", "ReferenceKernelMm", "ArchProfiles.props");

        private static readonly Lazy<XDocument> Props = new(() => XDocument.Load(PropsPath));

        /// <summary>The profile names, in file order: every <c>'$(MmArch)' == 'name'</c> property-group condition.</summary>
        public static IReadOnlyList<string> Names { get; } = Props.Value.Root!.Elements("PropertyGroup")
            .Select(g => Regex.Match((string?)g.Attribute("Condition") ?? "", @"^'\$\(MmArch\)' == '([^']+)'$"))
            .Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

        /// <summary>The preprocessor symbols (<c>DefineConstants</c>) of a build with these global properties.</summary>
        public static IReadOnlyList<string> Symbols(IReadOnlyDictionary<string, string> globalProperties)
        {
            var props = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (k, v) in globalProperties) props[k] = v;
            foreach (var group in Props.Value.Root!.Elements())
            {
                if (group.Name.LocalName != "PropertyGroup" || !Condition(group, props)) continue;
                foreach (var p in group.Elements())
                {
                    if (globalProperties.ContainsKey(p.Name.LocalName) || !Condition(p, props)) continue;
                    props[p.Name.LocalName] = Expand(p.Value.Trim(), props);
                }
            }
            return (props.TryGetValue("DefineConstants", out var dc) ? dc : "")
                .Split(';').Select(s => s.Trim()).Where(s => s.Length > 0).Distinct().ToList();
        }

        private static string Expand(string s, Dictionary<string, string> props) =>
            Regex.Replace(s, @"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", m => props.TryGetValue(m.Groups[1].Value, out var v) ? v : "");

        private static bool Condition(XElement e, Dictionary<string, string> props)
        {
            var text = (string?)e.Attribute("Condition");
            if (text is null) return true;
            return Regex.Split(text, @"\s+or\s+").Any(alt => Regex.Split(alt, @"\s+and\s+").All(term =>
            {
                var m = Regex.Match(term.Trim(), @"^'([^']*)'\s*(==|!=)\s*'([^']*)'$");
                if (!m.Success) throw new NotSupportedException($"ArchProfiles.props: condition '{text}' is beyond the test's evaluator.");
                var equal = string.Equals(Expand(m.Groups[1].Value, props), Expand(m.Groups[3].Value, props), StringComparison.OrdinalIgnoreCase);
                return m.Groups[2].Value == "==" ? equal : !equal;
            }));
        }

        private static string FindRepoRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MmLockAnalyzers.sln"))) return dir.FullName;
            throw new InvalidOperationException("MmLockAnalyzers.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
