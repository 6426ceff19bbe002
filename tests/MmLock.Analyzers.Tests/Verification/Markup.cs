using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.Text;

namespace MmLock.Analyzers.Tests.Verification
{
    /// <summary>One marked span of a markup source.</summary>
    /// <param name="Kind">A diagnostic ID (<c>{|MM1001:x|}</c>), <c>null</c> for the default ID (<c>[|x|]</c>), or <c>#n</c> for a numbered location (<c>{|#0:x|}</c>).</param>
    /// <param name="Span">The span in the markup-free text.</param>
    /// <param name="Order">The position of the opening token in the markup (orders spans that start at the same place).</param>
    public sealed record MarkupSpan(string? Kind, TextSpan Span, int Order)
    {
        /// <summary>The number of a <c>{|#n:x|}</c> location, else null.</summary>
        public int? LocationNumber => Kind is { Length: > 1 } k && k[0] == '#' ? int.Parse(k.Substring(1)) : null;
    }

    /// <summary>
    /// Markup: <c>[|x|]</c> a diagnostic with the test's default ID on exactly <c>x</c>; <c>{|MM1001:x|}</c> a diagnostic
    /// MM1001 on <c>x</c>; <c>{|#0:x|}</c> location 0 (for <c>WithLocation(0)</c> / <c>WithAdditionalLocation(0)</c>).
    /// Spans nest and may be adjacent; a closing <c>|]</c> / <c>|}</c> closes the innermost open span of its kind of bracket.
    /// </summary>
    public static class Markup
    {
        private static readonly Regex Open = new(@"\G\{\|(#[0-9]+|[A-Za-z_][A-Za-z0-9_]*):", RegexOptions.CultureInvariant);

        /// <summary>Removes the markup from <paramref name="markup"/>, returning the real text and the marked spans in order of their opening.</summary>
        public static (string Text, List<MarkupSpan> Spans) Parse(string markup)
        {
            var text = new StringBuilder(markup.Length);
            var spans = new List<MarkupSpan>();
            var open = new Stack<(char Bracket, string? Kind, int Start, int Order)>();
            for (var i = 0; i < markup.Length;)
            {
                if (string.CompareOrdinal(markup, i, "[|", 0, 2) == 0)
                {
                    open.Push(('[', null, text.Length, i));
                    i += 2;
                }
                else if (markup[i] == '{' && Open.Match(markup, i) is { Success: true } m)
                {
                    open.Push(('{', m.Groups[1].Value, text.Length, i));
                    i += m.Length;
                }
                else if (string.CompareOrdinal(markup, i, "|]", 0, 2) == 0 || string.CompareOrdinal(markup, i, "|}", 0, 2) == 0)
                {
                    var bracket = markup[i + 1] == ']' ? '[' : '{';
                    if (open.Count == 0 || open.Peek().Bracket != bracket)
                        throw new FormatException($"Markup: '|{markup[i + 1]}' at offset {i} does not close an open '{bracket}|'.");
                    var o = open.Pop();
                    spans.Add(new MarkupSpan(o.Kind, TextSpan.FromBounds(o.Start, text.Length), o.Order));
                    i += 2;
                }
                else
                {
                    text.Append(markup[i++]);
                }
            }
            if (open.Count != 0)
                throw new FormatException($"Markup: '{open.Peek().Bracket}|' at offset {open.Peek().Order} is never closed.");
            spans.Sort((a, b) => a.Order.CompareTo(b.Order));
            return (text.ToString(), spans);
        }
    }
}
