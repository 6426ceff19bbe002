using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace MmLock.PortMutation
{
    /// <summary>One row of the guard-removal table in docs/port-audit.md.</summary>
    public sealed record AuditRow(string Key, IReadOnlyList<string> Profiles, string RunTime, string Reason);

    /// <summary>
    /// The guard-removal table of docs/port-audit.md, between its markers. The profile columns are the tool's (what the
    /// analyzers add per profile: rule IDs, <c>none</c>, or <c>absent</c> where the site is compiled out); the run-time
    /// column is written by <c>--runtime</c>; the last column, the reason a site goes unflagged, is written by hand.
    /// </summary>
    public static class AuditTable
    {
        public const string Begin = "<!-- guard-removals:begin (tools/PortMutation --update writes the rows; edit only the last column) -->";
        public const string End = "<!-- guard-removals:end -->";
        public const string NotFlagged = "none", Absent = "absent";

        public static Dictionary<string, AuditRow> Read(string document, int profiles)
        {
            var rows = new Dictionary<string, AuditRow>(StringComparer.Ordinal);
            var (start, end) = Bounds(document);
            if (start < 0) return rows;
            foreach (string line in document[start..end].Split('\n').Select(l => l.TrimEnd('\r')))
            {
                if (!line.StartsWith("| `", StringComparison.Ordinal)) continue;
                var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToList();
                if (cells.Count != profiles + 3)
                    throw new FormatException($"docs/port-audit.md: a guard-removal row needs {profiles + 3} cells: {line}");
                string key = cells[0].Trim('`');
                rows[key] = new AuditRow(key, cells.Skip(1).Take(profiles).ToList(), cells[profiles + 1], cells[profiles + 2]);
            }
            return rows;
        }

        public static string Write(string document, IReadOnlyList<string> profileNames, IEnumerable<AuditRow> rows)
        {
            var table = new StringBuilder();
            table.Append(Begin).Append('\n');
            table.Append("| site | ").Append(string.Join(" | ", profileNames)).Append(" | run time | why not flagged |\n");
            table.Append("|---|").Append(string.Concat(profileNames.Select(_ => "---|"))).Append("---|---|\n");
            foreach (AuditRow row in rows)
                table.Append("| `").Append(row.Key).Append("` | ").Append(string.Join(" | ", row.Profiles))
                    .Append(" | ").Append(row.RunTime).Append(" | ").Append(row.Reason).Append(" |\n");
            table.Append(End);
            var (start, end) = Bounds(document);
            if (start < 0)
                return document.TrimEnd('\n') + "\n\n" + table + "\n";
            return document[..start] + table + document[(end + End.Length)..];
        }

        private static (int Start, int End) Bounds(string document)
        {
            int start = document.IndexOf(Begin, StringComparison.Ordinal);
            int end = start < 0 ? -1 : document.IndexOf(End, start, StringComparison.Ordinal);
            if (start >= 0 && end < 0) throw new FormatException("docs/port-audit.md: guard-removal table without its end marker");
            return (start, end);
        }

        /// <summary>The differences between the table and the tool's verdicts: empty when the table is current and every unflagged site has a reason.</summary>
        public static List<string> Check(IReadOnlyDictionary<string, AuditRow> documented, IReadOnlyList<AuditRow> computed, IReadOnlyList<string> profileNames)
        {
            var problems = new List<string>();
            foreach (AuditRow row in computed)
            {
                if (!documented.TryGetValue(row.Key, out AuditRow? doc))
                {
                    problems.Add($"{row.Key}: not in the table (run tools/PortMutation --update)");
                    continue;
                }
                for (int i = 0; i < profileNames.Count; i++)
                    if (doc.Profiles[i] != row.Profiles[i])
                        problems.Add($"{row.Key}: {profileNames[i]}: the table says '{doc.Profiles[i]}', the analyzers add '{row.Profiles[i]}'");
                if (row.Profiles.Contains(NotFlagged) && doc.Reason.Length == 0)
                    problems.Add($"{row.Key}: not flagged in {string.Join(", ", profileNames.Where((_, i) => row.Profiles[i] == NotFlagged))} and no reason given");
            }
            foreach (string key in documented.Keys.Except(computed.Select(r => r.Key)))
                problems.Add($"{key}: in the table but no longer a guard site");
            return problems;
        }
    }
}
