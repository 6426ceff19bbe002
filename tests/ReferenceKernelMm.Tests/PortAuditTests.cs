using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using MmLock;
using Xunit;

namespace ReferenceKernelMm.Tests
{
    /// <summary>
    /// "Stated twice" (docs/port-audit.md): every member of the port whose contract requires something of its callers
    /// in this profile calls a run-time assertion in its own body — a method of the port whose name says it asserts
    /// (lockdep_assert_*, mmap_assert_*, ...) or asks lockdep (lockdep_is_*) — unless it is listed below with where its
    /// rule is checked instead. The test checks presence, not correspondence; the audit table records which assertion
    /// states which rule.
    /// </summary>
    public class PortAuditTests
    {
        /// <summary>Members whose rule is checked at run time outside their own body, and where. Mirrored in docs/port-audit.md.</summary>
        internal static readonly Dictionary<string, string> CheckedElsewhere = new()
        {
            ["ReferenceKernelMm.Runtime.Smp.on_each_cpu"] = "calls smp_call_function first, which checks",
            ["ReferenceKernelMm.arch.tlbflush.flush_tlb_kernel_range"] = "its IPI goes through on_each_cpu to smp_call_function, which checks (the kernel warns there too)",
            ["ReferenceKernelMm.arch.tlbflush.flush_tlb_mm"] = "its IPI goes through on_each_cpu to smp_call_function, which checks",
            ["ReferenceKernelMm.mm.hugetlb.huge_pte_offset"] = "no vma, so the kernel's exact rule (a lock only for a shareable vma) cannot be checked; its caller hugetlb_walk asserts it, as in the kernel",
            ["ReferenceKernelMm.include.linux.mmzone.page_zone"] = "the page alone proves neither alternative (the hotplug lock, a passed online check); the poisoned memmap of memory that is not online reports the read itself",
        };

        /// <summary>[GuardedBy] fields, and why a lock acquisition in the accessing body is their run-time statement. Mirrored in docs/port-audit.md.</summary>
        internal static readonly Dictionary<string, string> GuardedFields = new()
        {
            ["ReferenceKernelMm.mm.vmalloc.free_areas"] = "private; every access lies between spin_lock and spin_unlock of vmap_area_lock in the same body",
            ["ReferenceKernelMm.mm.vmalloc.busy_areas"] = "private; every access lies between spin_lock and spin_unlock of vmap_area_lock in the same body",
            ["ReferenceKernelMm.include.linux.mm_struct.mmap"] = "written by hugetlb_mmap and vm_munmap, each between mmap_write_lock and mmap_write_unlock; read by vma_lookup, which asserts the lock",
            ["ReferenceKernelMm.include.linux.address_space.i_mmap"] = "accessed by hugetlb_mmap and unlink_file_vma (write lock), huge_pmd_share (read lock), each taking it in the same body, and hugetlb_vmdelete_list, which asserts it",
        };

        private static readonly Assembly Port = typeof(K).Assembly;

        private static readonly HashSet<string> Symbols = new(
            typeof(PortAuditTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "MmArchConstants").Value!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        [Fact]
        public void Every_member_with_a_requirement_asserts_it_at_run_time()
        {
            var missing = new List<string>();
            int audited = 0;
            foreach (Type type in Port.GetTypes().Where(t => !typeof(Delegate).IsAssignableFrom(t)))
            {
                foreach (MethodBase method in Members(type))
                {
                    if (!HasRequirement(method))
                        continue;
                    audited++;
                    string name = $"{type.FullName}.{method.Name}";
                    if (!CheckedElsewhere.ContainsKey(name) && !Callees(method).Any(IsAssertion))
                        missing.Add(name);
                }
            }
            Assert.True(audited > 30, $"only {audited} members audited: the attribute lookup is broken");
            Assert.Empty(missing);
        }

        [Fact]
        public void Every_exemption_names_a_member_without_its_own_assertion()
        {
            foreach (string name in CheckedElsewhere.Keys)
            {
                int dot = name.LastIndexOf('.');
                Type? type = Port.GetType(name[..dot]);
                Assert.True(type != null, $"{name}: no such type");
                var methods = Members(type!).Where(m => m.Name == name[(dot + 1)..]).ToList();
                Assert.True(methods.Count > 0, $"{name}: no such member");
                Assert.False(methods.All(m => Callees(m).Any(IsAssertion)), $"{name} asserts in its own body: drop the exemption");
            }
        }

        [Fact]
        public void Every_guarded_field_is_documented()
        {
            var fields = Port.GetTypes()
                .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                .Where(f => f.GetCustomAttributes<GuardedByAttribute>().Any(Active))
                .Select(f => $"{f.DeclaringType!.FullName}.{f.Name}")
                .OrderBy(n => n);
            Assert.Equal(GuardedFields.Keys.OrderBy(n => n), fields);
        }

        private static IEnumerable<MethodBase> Members(Type type)
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
            return type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all));
        }

        // ---- what the contract requires in this profile ------------------------------------------------

        private static bool HasRequirement(MethodBase method)
        {
            var attributes = method.GetCustomAttributes().ToList();
            if (method is MethodInfo { IsSpecialName: true } accessor && accessor.DeclaringType!.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                    .FirstOrDefault(p => p.GetMethod == accessor || p.SetMethod == accessor) is PropertyInfo property)
                attributes.AddRange(property.GetCustomAttributes());
            foreach (Attribute a in attributes)
            {
                switch (a)
                {
                    case RequiresAttribute or RequiresSharedAttribute or RequiresAnyAttribute or ExcludesAttribute
                        or ReplacesLiveRootAttribute or ReadsMemmapAttribute or GuardedByAttribute:
                        if (Active((ConditionalContractAttribute)a) && ((ContextListAttribute)a).Contexts.Any(ActiveAlternative))
                            return true;
                        break;
                    case PageTableWalkerAttribute w when Active(w) && !w.OwnsRange:
                        if (Freeings().Any(f => f.Space == w.Space && (f.ExcludedBy ?? Array.Empty<string>()).Any(ActiveAlternative)))
                            return true;
                        break;
                    case TableFreerAttribute t when Active(t):
                        if (Freeings().Any(f => f.Space == t.Space && f.Name == t.Freeing && (f.Holds ?? Array.Empty<string>()).Any(ActiveAlternative)))
                            return true;
                        break;
                    case LeafModifierAttribute l when Active(l) && !l.OwnsRange:
                        if (Port.GetCustomAttributes<PageTableSpaceAttribute>().Any(s => Active(s) && s.Name == l.Space && (s.LeafLock ?? Array.Empty<string>()).Any(ActiveAlternative)))
                            return true;
                        break;
                }
            }
            return false;
        }

        private static IEnumerable<TableFreeingAttribute> Freeings() => Port.GetCustomAttributes<TableFreeingAttribute>().Where(Active);

        private static bool Active(ConditionalContractAttribute a) => a.When == null || Condition.Holds(a.When, Symbols);

        private static bool ActiveAlternative(string alternative)
        {
            int when = alternative.IndexOf(" when ", StringComparison.Ordinal);
            return when < 0 || Condition.Holds(alternative[(when + 6)..], Symbols);
        }

        // ---- the assertions a body calls -----------------------------------------------------------------

        private static bool IsAssertion(MethodBase callee) =>
            callee.DeclaringType?.Assembly == Port && (callee.Name.Contains("assert", StringComparison.Ordinal) || callee.Name.StartsWith("lockdep_is_", StringComparison.Ordinal));

        private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value);

        /// <summary>The methods a body calls directly (call, callvirt, newobj, ldftn).</summary>
        private static IEnumerable<MethodBase> Callees(MethodBase method)
        {
            byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
            if (il == null)
                yield break;
            Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
            Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
            for (int i = 0; i < il.Length;)
            {
                OpCode op = il[i] == 0xFE ? OpCodesByValue[(short)(0xFE00 | il[i + 1])] : OpCodesByValue[il[i]];
                i += op.Size;
                if (op.OperandType == OperandType.InlineMethod)
                {
                    MethodBase? callee = null;
                    try { callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArgs, methodArgs); }
                    catch (ArgumentException) { /* a vararg or unresolvable reference: not one of ours */ }
                    if (callee != null)
                        yield return callee;
                }
                i += op.OperandType switch
                {
                    OperandType.InlineNone => 0,
                    OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                    OperandType.InlineVar => 2,
                    OperandType.InlineI8 or OperandType.InlineR => 8,
                    OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                    _ => 4,
                };
            }
        }

        /// <summary>The conditions of contract.md §1: symbols, !, &amp;&amp;, ||, parentheses.</summary>
        private sealed class Condition
        {
            private readonly string text;
            private readonly ISet<string> symbols;
            private int pos;

            private Condition(string text, ISet<string> symbols) { this.text = text; this.symbols = symbols; }

            public static bool Holds(string text, ISet<string> symbols)
            {
                var c = new Condition(text, symbols);
                bool value = c.Or();
                c.Skip();
                if (c.pos != text.Length)
                    throw new FormatException($"bad condition '{text}'");
                return value;
            }

            private void Skip()
            {
                while (pos < text.Length && char.IsWhiteSpace(text[pos]))
                    pos++;
            }

            private bool Eat(string token)
            {
                Skip();
                if (string.CompareOrdinal(text, pos, token, 0, token.Length) != 0)
                    return false;
                pos += token.Length;
                return true;
            }

            private bool Or()
            {
                bool value = And();
                while (Eat("||"))
                    value |= And();
                return value;
            }

            private bool And()
            {
                bool value = Not();
                while (Eat("&&"))
                    value &= Not();
                return value;
            }

            private bool Not()
            {
                if (Eat("!"))
                    return !Not();
                if (Eat("("))
                {
                    bool value = Or();
                    if (!Eat(")"))
                        throw new FormatException($"bad condition '{text}'");
                    return value;
                }
                Skip();
                int start = pos;
                while (pos < text.Length && (char.IsLetterOrDigit(text[pos]) || text[pos] == '_'))
                    pos++;
                if (pos == start)
                    throw new FormatException($"bad condition '{text}'");
                return symbols.Contains(text[start..pos]);
            }
        }
    }
}
