//! Sim condition expressions (JavaScript) rendered as readable conditions for Parlant:
//! `<agent.content> === 'refund'` reads "Agent's content is 'refund'". The exact expression is
//! kept beside the text, so the rendering only has to read well, not to be parsed back.
//!
//! A small recursive-descent reader covers what condition branches contain (references,
//! literals, comparisons, `&&`/`||`/`!`, member access, `.includes()`-style calls, arithmetic).
//! Anything else, or nesting deeper than `MAX_DEPTH`, renders as the quoted code itself.

use crate::sim::references::{parse_references, RefTarget};
use foldhash::HashMap;

const MAX_DEPTH: usize = 48;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ref(String),
    Str(String),
    Num(String),
    Ident(String),
    Punct(&'static str),
}

const PUNCTS: [&str; 24] = [
    "===", "!==", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ".", ",",
    "+", "-", "*", "/", "%", "?", ":",
];

fn tokenize(text: &str) -> Option<Vec<Tok>> {
    // Sim's own reference parser decides what `<...>` is a reference (and not a comparison).
    let refs: HashMap<usize, (usize, String)> = parse_references(text)
        .into_iter()
        .filter(|r| r.raw.starts_with('<'))
        .map(|r| {
            (
                r.span.start,
                (r.span.end, r.raw[1..r.raw.len() - 1].to_string()),
            )
        })
        .collect();
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if let Some((end, inner)) = refs.get(&i) {
            out.push(Tok::Ref(inner.clone()));
            i = *end;
        } else if c == b'\'' || c == b'"' || c == b'`' {
            let mut j = i + 1;
            let mut value = String::new();
            loop {
                let ch = text[j..].chars().next()?;
                if ch as u32 == c as u32 {
                    break;
                }
                if ch == '\\' {
                    j += 1;
                    let escaped = text[j..].chars().next()?;
                    value.push(escaped);
                    j += escaped.len_utf8();
                    continue;
                }
                if c == b'`' && ch == '$' && text[j..].starts_with("${") {
                    return None;
                }
                value.push(ch);
                j += ch.len_utf8();
            }
            out.push(Tok::Str(value));
            i = j + 1;
        } else if c.is_ascii_digit() {
            let end = text[i..]
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '_'))
                .map_or(text.len(), |n| i + n);
            out.push(Tok::Num(text[i..end].to_string()));
            i = end;
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let end = text[i..]
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '$'))
                .map_or(text.len(), |n| i + n);
            out.push(Tok::Ident(text[i..end].to_string()));
            i = end;
        } else {
            let p = PUNCTS.iter().find(|p| text[i..].starts_with(**p))?;
            out.push(Tok::Punct(p));
            i += p.len();
        }
    }
    Some(out)
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Ref(String),
    Str(String),
    Num(String),
    Ident(String),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Bin(&'static str, Box<Expr>, Box<Expr>),
    Member(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Call(Box<Expr>, Vec<Expr>),
    Array(Vec<Expr>),
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Punct(q)) if *q == p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn binary(
        &mut self,
        ops: &[&'static str],
        next: fn(&mut Parser) -> Option<Expr>,
        chain: bool,
    ) -> Option<Expr> {
        let mut left = next(self)?;
        loop {
            let Some(Tok::Punct(op)) = self.peek() else {
                return Some(left);
            };
            let Some(op) = ops.iter().find(|o| *o == op).copied() else {
                return Some(left);
            };
            self.pos += 1;
            let right = next(self)?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
            if !chain {
                return Some(left);
            }
        }
    }

    fn expr(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let e = self.binary(&["||"], Parser::and, true);
        self.depth -= 1;
        e
    }

    fn and(&mut self) -> Option<Expr> {
        self.binary(&["&&"], Parser::compare, true)
    }

    fn compare(&mut self) -> Option<Expr> {
        self.binary(
            &["===", "!==", "==", "!=", "<=", ">=", "<", ">"],
            Parser::additive,
            false,
        )
    }

    fn additive(&mut self) -> Option<Expr> {
        self.binary(&["+", "-"], Parser::multiplicative, true)
    }

    fn multiplicative(&mut self) -> Option<Expr> {
        self.binary(&["*", "/", "%"], Parser::unary, true)
    }

    fn unary(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let e = if self.eat("!") {
            Some(Expr::Not(Box::new(self.unary()?)))
        } else if self.eat("-") {
            Some(Expr::Neg(Box::new(self.unary()?)))
        } else {
            self.postfix()
        };
        self.depth -= 1;
        e
    }

    fn postfix(&mut self) -> Option<Expr> {
        let mut e = match self.toks.get(self.pos).cloned()? {
            Tok::Ref(r) => Expr::Ref(r),
            Tok::Str(s) => Expr::Str(s),
            Tok::Num(n) => Expr::Num(n),
            Tok::Ident(i) => Expr::Ident(i),
            Tok::Punct("(") => {
                self.pos += 1;
                let inner = self.expr()?;
                if !self.eat(")") {
                    return None;
                }
                self.pos -= 1;
                inner
            }
            Tok::Punct("[") => {
                self.pos += 1;
                let mut items = Vec::new();
                if !self.eat("]") {
                    loop {
                        items.push(self.expr()?);
                        if self.eat("]") {
                            break;
                        }
                        if !self.eat(",") {
                            return None;
                        }
                    }
                }
                self.pos -= 1;
                Expr::Array(items)
            }
            Tok::Punct(_) => return None,
        };
        self.pos += 1;
        loop {
            if self.eat(".") {
                match self.toks.get(self.pos).cloned() {
                    Some(Tok::Ident(name)) => {
                        self.pos += 1;
                        e = Expr::Member(Box::new(e), name);
                    }
                    _ => return None,
                }
            } else if self.eat("[") {
                let index = self.expr()?;
                if !self.eat("]") {
                    return None;
                }
                e = Expr::Index(Box::new(e), Box::new(index));
            } else if self.eat("(") {
                let mut args = Vec::new();
                if !self.eat(")") {
                    loop {
                        args.push(self.expr()?);
                        if self.eat(")") {
                            break;
                        }
                        if !self.eat(",") {
                            return None;
                        }
                    }
                }
                e = Expr::Call(Box::new(e), args);
            } else {
                return Some(e);
            }
        }
    }
}

fn parse(text: &str) -> Option<Expr> {
    let toks = tokenize(text)?;
    if toks.is_empty() {
        return None;
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let e = p.expr()?;
    (p.pos == p.toks.len()).then_some(e)
}

/// Renders references with the workflow's display names (`<agent1.content>` → "Agent 1's content").
pub struct Renderer<'a> {
    /// Normalised block name → display name.
    pub names: &'a HashMap<String, String>,
}

impl Renderer<'_> {
    /// A readable condition for one branch expression.
    pub fn condition(&self, expression: &str) -> String {
        let trimmed = expression.trim();
        if trimmed.is_empty() {
            return "the condition is empty (it never holds)".into();
        }
        match parse(trimmed) {
            Some(Expr::Ident(i)) if i == "true" => "always".into(),
            Some(Expr::Ident(i)) if i == "false" => "never".into(),
            Some(e) => self.boolean(&e),
            None => format!("the expression `{trimmed}` is true"),
        }
    }

    /// `e` in a position where it is read as true/false.
    fn boolean(&self, e: &Expr) -> String {
        match e {
            Expr::Bin(op, a, b) => match *op {
                "&&" | "||" => {
                    let word = if *op == "&&" { "and" } else { "or" };
                    let side = |x: &Expr| match x {
                        Expr::Bin(o, ..) if (*o == "&&" || *o == "||") && o != op => {
                            format!("({})", self.boolean(x))
                        }
                        _ => self.boolean(x),
                    };
                    format!("{} {word} {}", side(a), side(b))
                }
                "===" | "==" | "!==" | "!=" => {
                    let negated = op.starts_with('!');
                    match (b.as_ref(), negated) {
                        (Expr::Ident(n), false) if n == "null" || n == "undefined" => {
                            format!("{} is empty", self.value(a))
                        }
                        (Expr::Ident(n), true) if n == "null" || n == "undefined" => {
                            format!("{} is set", self.value(a))
                        }
                        (_, false) => format!("{} is {}", self.value(a), self.value(b)),
                        (_, true) => format!("{} is not {}", self.value(a), self.value(b)),
                    }
                }
                "<" => format!("{} is less than {}", self.value(a), self.value(b)),
                ">" => format!("{} is greater than {}", self.value(a), self.value(b)),
                "<=" => format!("{} is at most {}", self.value(a), self.value(b)),
                ">=" => format!("{} is at least {}", self.value(a), self.value(b)),
                _ => format!("{} is true", self.value(e)),
            },
            Expr::Not(inner) => match inner.as_ref() {
                Expr::Ref(_) | Expr::Member(..) | Expr::Index(..) | Expr::Ident(_) => {
                    format!("{} is false or empty", self.value(inner))
                }
                other => format!("it is not the case that {}", self.boolean(other)),
            },
            Expr::Call(callee, args) => match (callee.as_ref(), args.as_slice()) {
                (Expr::Member(obj, m), [arg])
                    if m == "includes" && matches!(obj.as_ref(), Expr::Array(_)) =>
                {
                    format!("{} is one of {}", self.value(arg), self.value(obj))
                }
                (Expr::Member(obj, m), [arg]) if m == "includes" => {
                    format!("{} contains {}", self.value(obj), self.value(arg))
                }
                (Expr::Member(obj, m), [arg]) if m == "startsWith" => {
                    format!("{} starts with {}", self.value(obj), self.value(arg))
                }
                (Expr::Member(obj, m), [arg]) if m == "endsWith" => {
                    format!("{} ends with {}", self.value(obj), self.value(arg))
                }
                _ => format!("{} is true", self.value(e)),
            },
            _ => format!("{} is true", self.value(e)),
        }
    }

    /// `e` read as a value.
    fn value(&self, e: &Expr) -> String {
        match e {
            Expr::Ref(inner) => self.reference(inner),
            Expr::Str(s) => format!("'{s}'"),
            Expr::Num(n) => n.clone(),
            Expr::Ident(i) => i.clone(),
            Expr::Neg(x) => format!("-{}", self.value(x)),
            Expr::Member(obj, m) if m == "length" => format!("the length of {}", self.value(obj)),
            Expr::Member(obj, m) => format!("{} {}", self.value(obj), words(m)),
            Expr::Index(obj, index) => format!("item {} of {}", self.value(index), self.value(obj)),
            Expr::Call(callee, args) => match (callee.as_ref(), args.as_slice()) {
                (Expr::Member(obj, m), [])
                    if m == "toLowerCase" || m == "toUpperCase" || m == "trim" =>
                {
                    self.value(obj)
                }
                _ => {
                    let args: Vec<String> = args.iter().map(|a| self.value(a)).collect();
                    format!("{}({})", self.value(callee), args.join(", "))
                }
            },
            Expr::Bin(op, a, b) => {
                let word = match *op {
                    "+" => "plus",
                    "-" => "minus",
                    "*" => "times",
                    "/" => "divided by",
                    "%" => "modulo",
                    _ => return format!("whether {}", self.boolean(e)),
                };
                format!("{} {word} {}", self.value(a), self.value(b))
            }
            Expr::Not(_) => format!("whether {}", self.boolean(e)),
            Expr::Array(items) => items
                .iter()
                .map(|i| self.value(i))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    fn reference(&self, inner: &str) -> String {
        let raw = format!("<{inner}>");
        let target = parse_references(&raw).into_iter().next().map(|r| r.target);
        let path_words = |path: &str| {
            path.split('.')
                .filter(|p| !p.is_empty())
                .map(words)
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (_, rest) = inner.split_once('.').unwrap_or((inner, ""));
        match target {
            Some(RefTarget::Variable { name }) => format!("the variable {name}"),
            Some(RefTarget::Loop { .. }) => format!("the loop's {}", path_words(rest)),
            Some(RefTarget::Parallel { .. }) => {
                format!("the parallel branch's {}", path_words(rest))
            }
            Some(RefTarget::Block { name, .. }) => {
                let display = self.names.get(&name).cloned().unwrap_or(name);
                if rest.is_empty() {
                    format!("the output of {display}")
                } else {
                    format!("{display}'s {}", path_words(rest))
                }
            }
            _ => raw,
        }
    }
}

/// `selectedOption` → "selected option"; `items[0]` → "items[0]".
fn words(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for ch in name.chars() {
        if ch == '_' {
            out.push(' ');
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower {
            out.push(' ');
            out.extend(ch.to_lowercase());
        } else {
            out.push(ch);
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
    }
    out
}

/// Whether edited condition text is itself a JavaScript expression (a reference or an operator
/// in a complete expression), as opposed to natural language.
pub fn looks_like_code(text: &str) -> bool {
    fn has_operator(e: &Expr) -> bool {
        match e {
            Expr::Ref(_) | Expr::Bin(..) | Expr::Not(_) | Expr::Call(..) => true,
            Expr::Member(x, _) | Expr::Index(x, _) | Expr::Neg(x) => has_operator(x),
            _ => false,
        }
    }
    parse(text.trim()).is_some_and(|e| has_operator(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(expr: &str) -> String {
        let names = HashMap::from_iter([("agent1".to_string(), "Agent 1".to_string())]);
        Renderer { names: &names }.condition(expr)
    }

    #[test]
    fn comparisons_read_as_sentences() {
        assert_eq!(
            render("<agent1.content> === 'refund'"),
            "Agent 1's content is 'refund'"
        );
        assert_eq!(
            render("<agent.content> !== \"x\""),
            "agent's content is not 'x'"
        );
        assert_eq!(
            render("<start.score> >= 3 && <start.tier> == 'gold'"),
            "start's score is at least 3 and start's tier is 'gold'"
        );

        assert_eq!(
            render("<agent1.content>.includes('urgent')"),
            "Agent 1's content contains 'urgent'"
        );
        assert_eq!(
            render("<variable.count> % 2 === 0"),
            "the variable count modulo 2 is 0"
        );
        assert_eq!(
            render("<agent1.selectedOption> === null"),
            "Agent 1's selected option is empty"
        );
        assert_eq!(
            render("<api.data.items>.length > 0"),
            "the length of api's data items is greater than 0"
        );
        assert_eq!(render("true"), "always");
        assert_eq!(
            render("['a', 'b'].includes(<start.plan>)"),
            "start's plan is one of 'a', 'b'"
        );
    }

    #[test]
    fn unreadable_code_is_quoted_and_deep_nesting_is_safe() {
        assert_eq!(render("x => x"), "the expression `x => x` is true");
        assert_eq!(render("  "), "the condition is empty (it never holds)");
        let deep = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(render(&deep).starts_with("the expression"));
        let not_deep = format!("{}true", "!".repeat(100_000));
        assert!(render(&not_deep).starts_with("the expression"));
    }

    #[test]
    fn code_is_told_from_prose() {
        assert!(looks_like_code("<agent.content> === 'yes'"));
        assert!(looks_like_code("a > 3"));
        assert!(!looks_like_code("the customer is angry"));
        assert!(!looks_like_code("yes"));
        assert!(!looks_like_code("مرحبا"));
    }
}
