using System.Collections.Generic;

namespace MmLock.Analyzers.Contexts
{
    /// <summary>A boolean expression over preprocessor symbols: identifiers, <c>!</c>, <c>&amp;&amp;</c>, <c>||</c>, parentheses, <c>true</c>/<c>false</c>.</summary>
    internal abstract class Condition
    {
        public abstract bool Evaluate(ISet<string> symbols);

        public static readonly Condition True = new Constant(true);

        /// <summary>Parses <paramref name="text"/>; on failure returns null and says why.</summary>
        public static Condition? Parse(string text, out string? error)
        {
            var parser = new Parser(text);
            var result = parser.ParseOr();
            parser.SkipSpace();
            if (result != null && parser.AtEnd)
            {
                error = null;
                return result;
            }
            error = parser.Error ?? $"unexpected '{parser.Rest}'";
            return null;
        }

        private sealed class Constant : Condition
        {
            private readonly bool _value;
            public Constant(bool value) { _value = value; }
            public override bool Evaluate(ISet<string> symbols) => _value;
        }

        private sealed class Symbol : Condition
        {
            private readonly string _name;
            public Symbol(string name) { _name = name; }
            public override bool Evaluate(ISet<string> symbols) => symbols.Contains(_name);
        }

        private sealed class Not : Condition
        {
            private readonly Condition _operand;
            public Not(Condition operand) { _operand = operand; }
            public override bool Evaluate(ISet<string> symbols) => !_operand.Evaluate(symbols);
        }

        private sealed class Binary : Condition
        {
            private readonly Condition _left, _right;
            private readonly bool _and;
            public Binary(Condition left, Condition right, bool and) { _left = left; _right = right; _and = and; }
            public override bool Evaluate(ISet<string> symbols) =>
                _and ? _left.Evaluate(symbols) && _right.Evaluate(symbols) : _left.Evaluate(symbols) || _right.Evaluate(symbols);
        }

        private sealed class Parser
        {
            private readonly string _text;
            private int _pos;
            public string? Error;

            public Parser(string text) { _text = text; }
            public bool AtEnd => _pos >= _text.Length;
            public string Rest => _text.Substring(_pos);

            public void SkipSpace()
            {
                while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
            }

            private bool Eat(string token)
            {
                SkipSpace();
                if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) != 0) return false;
                _pos += token.Length;
                return true;
            }

            public Condition? ParseOr()
            {
                var left = ParseAnd();
                while (left != null && Eat("||"))
                {
                    var right = ParseAnd();
                    if (right == null) return null;
                    left = new Binary(left, right, and: false);
                }
                return left;
            }

            private Condition? ParseAnd()
            {
                var left = ParseUnary();
                while (left != null && Eat("&&"))
                {
                    var right = ParseUnary();
                    if (right == null) return null;
                    left = new Binary(left, right, and: true);
                }
                return left;
            }

            private Condition? ParseUnary()
            {
                SkipSpace();
                if (Eat("!"))
                {
                    var operand = ParseUnary();
                    return operand == null ? null : new Not(operand);
                }
                if (Eat("("))
                {
                    var inner = ParseOr();
                    if (inner == null) return null;
                    if (!Eat(")")) { Error ??= "missing ')'"; return null; }
                    return inner;
                }
                SkipSpace();
                int start = _pos;
                while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_')) _pos++;
                if (_pos == start)
                {
                    Error ??= AtEnd ? "expected a symbol at the end" : $"expected a symbol at '{Rest}'";
                    return null;
                }
                var name = _text.Substring(start, _pos - start);
                if (char.IsDigit(name[0])) { Error ??= $"'{name}' is not a symbol"; return null; }
                return name switch
                {
                    "true" => True,
                    "false" => new Constant(false),
                    _ => new Symbol(name),
                };
            }
        }
    }
}
