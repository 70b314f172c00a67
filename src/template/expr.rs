//! The `$when` expression language: a small boolean language over parameters, parsed here and
//! evaluated on JSON values. Nothing is executed: there are no calls except `len`, no assignment,
//! no loops, and input size and nesting depth are bounded.
//!
//! ```text
//! expr    := or
//! or      := and (("||" | "or") and)*
//! and     := not (("&&" | "and") not)*
//! not     := ("!" | "not") not | compare
//! compare := value (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") value)?
//! value   := "(" expr ")" | "len" "(" expr ")" | number | 'text' | "text" | true | false | null
//!          | name ("." name)*
//! ```
//! A bare value is true when it is `true`, a non-zero number, a non-empty text or list.

use serde_json::Value;

pub const MAX_EXPRESSION_CHARS: usize = 2_000;
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(Value),
    /// A parameter or loop variable, with field accesses (`item.name`).
    Name(Vec<String>),
    Len(Box<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, CompareOp, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64),
    Str(String),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    Dot,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    if text.chars().count() > MAX_EXPRESSION_CHARS {
        return Err(format!(
            "the expression is longer than {MAX_EXPRESSION_CHARS} characters"
        ));
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Token::LParen);
                i += 1
            }
            ')' => {
                out.push(Token::RParen);
                i += 1
            }
            '.' => {
                out.push(Token::Dot);
                i += 1
            }
            '\'' | '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(format!(
                                "the text starting at character {} is not closed with {c}",
                                i
                            ))
                        }
                        Some('\\') => {
                            if let Some(&escaped) = chars.get(i + 1) {
                                s.push(escaped);
                            }
                            i += 2;
                        }
                        Some(&d) if d == c => {
                            i += 1;
                            break;
                        }
                        Some(&d) => {
                            s.push(d);
                            i += 1;
                        }
                    }
                }
                out.push(Token::Str(s));
            }
            c if c.is_ascii_digit() || (c == '-' && next.is_some_and(|n| n.is_ascii_digit())) => {
                let start = i;
                i += 1;
                while chars
                    .get(i)
                    .is_some_and(|d| d.is_ascii_digit() || *d == '.')
                {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                out.push(Token::Num(
                    s.parse().map_err(|_| format!("`{s}` is not a number"))?,
                ));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|d| d.is_alphanumeric() || *d == '_')
                {
                    i += 1;
                }
                out.push(Token::Ident(chars[start..i].iter().collect()));
            }
            _ => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                let op = ["==", "!=", "<=", ">=", "&&", "||"]
                    .into_iter()
                    .find(|op| *op == two);
                match op {
                    Some(op) => {
                        out.push(Token::Op(op));
                        i += 2;
                    }
                    None => {
                        let op = match c {
                            '<' => "<",
                            '>' => ">",
                            '!' => "!",
                            '=' => {
                                return Err("`=` is not an operator here; compare with `==`".into())
                            }
                            other => return Err(format!("unexpected character `{other}`")),
                        };
                        out.push(Token::Op(op));
                        i += 1;
                    }
                }
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Ident(w)) if w == word)
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Token::Op(o)) if *o == op)
    }

    fn deeper(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "the expression is nested more than {MAX_DEPTH} levels deep"
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, String> {
        self.deeper()?;
        let mut left = self.and()?;
        while self.is_op("||") || self.is_word("or") {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.not()?;
        while self.is_op("&&") || self.is_word("and") {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.is_op("!") || self.is_word("not") {
            self.pos += 1;
            self.deeper()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Expr, String> {
        let left = self.value()?;
        let op = match self.peek() {
            Some(Token::Op("==")) => CompareOp::Eq,
            Some(Token::Op("!=")) => CompareOp::Ne,
            Some(Token::Op("<")) => CompareOp::Lt,
            Some(Token::Op("<=")) => CompareOp::Le,
            Some(Token::Op(">")) => CompareOp::Gt,
            Some(Token::Op(">=")) => CompareOp::Ge,
            Some(Token::Ident(w)) if w == "in" => CompareOp::In,
            _ => return Ok(left),
        };
        self.pos += 1;
        let right = self.value()?;
        Ok(Expr::Compare(Box::new(left), op, Box::new(right)))
    }

    fn value(&mut self) -> Result<Expr, String> {
        let token = self
            .peek()
            .cloned()
            .ok_or("the expression ends where a value was expected")?;
        self.pos += 1;
        match token {
            Token::LParen => {
                let inner = self.or()?;
                self.expect_rparen()?;
                Ok(inner)
            }
            Token::Num(n) => Ok(Expr::Literal(
                serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number),
            )),
            Token::Str(s) => Ok(Expr::Literal(Value::String(s))),
            Token::Ident(word) => match word.as_str() {
                "true" => Ok(Expr::Literal(Value::Bool(true))),
                "false" => Ok(Expr::Literal(Value::Bool(false))),
                "null" => Ok(Expr::Literal(Value::Null)),
                "and" | "or" | "not" | "in" => Err(format!(
                    "`{word}` is an operator and cannot be used as a value"
                )),
                "len" if matches!(self.peek(), Some(Token::LParen)) => {
                    self.pos += 1;
                    self.deeper()?;
                    let inner = self.or()?;
                    self.depth -= 1;
                    self.expect_rparen()?;
                    Ok(Expr::Len(Box::new(inner)))
                }
                _ => {
                    let mut path = vec![word];
                    while matches!(self.peek(), Some(Token::Dot)) {
                        self.pos += 1;
                        match self.peek().cloned() {
                            Some(Token::Ident(field)) => {
                                self.pos += 1;
                                path.push(field);
                            }
                            _ => {
                                return Err(format!(
                                    "a field name must follow `{}.`",
                                    path.join(".")
                                ))
                            }
                        }
                    }
                    Ok(Expr::Name(path))
                }
            },
            Token::RParen => Err("unexpected `)`".into()),
            Token::Dot => Err("unexpected `.`".into()),
            Token::Op(op) => Err(format!("unexpected `{op}` where a value was expected")),
        }
    }

    fn expect_rparen(&mut self) -> Result<(), String> {
        match self.peek() {
            Some(Token::RParen) => {
                self.pos += 1;
                Ok(())
            }
            _ => Err("a `(` is not closed".into()),
        }
    }
}

pub fn parse(text: &str) -> Result<Expr, String> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err("the expression is empty".into());
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let expr = parser.or()?;
    match parser.peek() {
        None => Ok(expr),
        Some(token) => Err(format!(
            "unexpected {} after a complete expression",
            describe(token)
        )),
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Num(n) => format!("number {n}"),
        Token::Str(s) => format!("text '{s}'"),
        Token::Ident(w) => format!("`{w}`"),
        Token::Op(o) => format!("`{o}`"),
        Token::LParen => "`(`".into(),
        Token::RParen => "`)`".into(),
        Token::Dot => "`.`".into(),
    }
}

impl Expr {
    /// Every name the expression reads (`item.name` as `["item", "name"]`).
    pub fn names(&self, out: &mut Vec<Vec<String>>) {
        match self {
            Expr::Literal(_) => {}
            Expr::Name(path) => out.push(path.clone()),
            Expr::Len(e) | Expr::Not(e) => e.names(out),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Compare(a, _, b) => {
                a.names(out);
                b.names(out);
            }
        }
    }

    /// Evaluates with `lookup` resolving names; type errors (`"a" < 3`) are errors, not `false`.
    pub fn eval(&self, lookup: &dyn Fn(&[String]) -> Option<Value>) -> Result<Value, String> {
        Ok(match self {
            Expr::Literal(v) => v.clone(),
            Expr::Name(path) => {
                lookup(path).ok_or_else(|| format!("`{}` is not a parameter", path.join(".")))?
            }
            Expr::Len(e) => match e.eval(lookup)? {
                Value::Array(a) => Value::from(a.len()),
                Value::String(s) => Value::from(s.chars().count()),
                Value::Null => Value::from(0),
                other => {
                    return Err(format!(
                        "len() takes a list or a text, not {}",
                        super::params::type_name(&other)
                    ))
                }
            },
            Expr::Not(e) => Value::Bool(!truthy(&e.eval(lookup)?)),
            Expr::And(a, b) => Value::Bool(truthy(&a.eval(lookup)?) && truthy(&b.eval(lookup)?)),
            Expr::Or(a, b) => Value::Bool(truthy(&a.eval(lookup)?) || truthy(&b.eval(lookup)?)),
            Expr::Compare(a, op, b) => {
                Value::Bool(compare(&a.eval(lookup)?, *op, &b.eval(lookup)?)?)
            }
        })
    }
}

pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn compare(a: &Value, op: CompareOp, b: &Value) -> Result<bool, String> {
    use std::cmp::Ordering;
    let order = || -> Result<Ordering, String> {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x
                .as_f64()
                .partial_cmp(&y.as_f64())
                .ok_or_else(|| "numbers that cannot be compared".to_string()),
            (Value::String(x), Value::String(y)) => Ok(x.cmp(y)),
            _ => Err(format!(
                "cannot order {} and {}",
                super::params::type_name(a),
                super::params::type_name(b)
            )),
        }
    };
    Ok(match op {
        CompareOp::Eq => equal(a, b),
        CompareOp::Ne => !equal(a, b),
        CompareOp::Lt => order()? == Ordering::Less,
        CompareOp::Le => order()? != Ordering::Greater,
        CompareOp::Gt => order()? == Ordering::Greater,
        CompareOp::Ge => order()? != Ordering::Less,
        CompareOp::In => match b {
            Value::Array(items) => items.iter().any(|item| equal(a, item)),
            Value::String(s) => match a {
                Value::String(needle) => s.contains(needle.as_str()),
                _ => {
                    return Err(format!(
                        "`in` a text needs a text on the left, not {}",
                        super::params::type_name(a)
                    ))
                }
            },
            Value::Null => false,
            other => {
                return Err(format!(
                    "`in` needs a list or a text on the right, not {}",
                    super::params::type_name(other)
                ))
            }
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(text: &str, vars: Value) -> Result<Value, String> {
        let expr = parse(text)?;
        expr.eval(&|path: &[String]| {
            let mut v = vars.get(path.first()?)?.clone();
            for field in &path[1..] {
                v = v.get(field)?.clone();
            }
            Some(v)
        })
    }

    #[test]
    fn precedence_and_words() {
        let vars = json!({"a": true, "b": false, "tier": "gold", "n": 3, "langs": ["en", "fr"]});
        assert_eq!(eval("a && b || true", vars.clone()), Ok(json!(true)));
        assert_eq!(eval("a and not b", vars.clone()), Ok(json!(true)));
        assert_eq!(eval("!(a || b)", vars.clone()), Ok(json!(false)));
        assert_eq!(
            eval("tier == 'gold' && n >= 3", vars.clone()),
            Ok(json!(true))
        );
        assert_eq!(
            eval("'fr' in langs and len(langs) == 2", vars.clone()),
            Ok(json!(true))
        );
        assert_eq!(eval("n < -1", vars.clone()), Ok(json!(false)));
        assert_eq!(eval("\"ol\" in tier", vars), Ok(json!(true)));
    }

    #[test]
    fn errors_are_clear() {
        assert!(parse("a = 1").unwrap_err().contains("=="));
        assert!(parse("(a").unwrap_err().contains("not closed"));
        assert!(parse("a b")
            .unwrap_err()
            .contains("after a complete expression"));
        assert!(parse("").unwrap_err().contains("empty"));
        assert!(parse("'open").unwrap_err().contains("not closed"));
        assert!(parse(&"(".repeat(200)).unwrap_err().contains("nested"));
        assert!(parse(&"!".repeat(200)).unwrap_err().contains("nested"));
        assert!(parse(&"a || ".repeat(1000)).unwrap_err().contains("longer"));
        assert!(eval("n < 'x'", json!({"n": 1}))
            .unwrap_err()
            .contains("cannot order"));
        assert!(eval("missing", json!({}))
            .unwrap_err()
            .contains("not a parameter"));
    }
}
