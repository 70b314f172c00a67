//! A sandboxed JavaScript engine (QuickJS, through rquickjs) for Sim's condition expressions and
//! function blocks: syntax checks without running anything, and runs bounded in time, memory and
//! stack so a runaway expression is stopped with a clear error instead of hanging the editor.

use rquickjs::{CatchResultExt, CaughtError, Context, Function, Runtime};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub time: Duration,
    pub memory_bytes: usize,
    pub stack_bytes: usize,
}

impl Default for Limits {
    /// Sim gives a condition a few seconds; the preview needs answers faster than that.
    fn default() -> Self {
        Limits {
            time: Duration::from_secs(1),
            memory_bytes: 64 * 1024 * 1024,
            stack_bytes: 512 * 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JsError {
    #[error("JavaScript syntax error: {message}")]
    Syntax {
        message: String,
        line: Option<u32>,
        column: Option<u32>,
    },
    #[error("JavaScript error: {message}")]
    Thrown { message: String },
    #[error("JavaScript ran longer than the {limit_ms} ms limit and was stopped")]
    Timeout { limit_ms: u128 },
    #[error("JavaScript used more than the {limit_bytes}-byte memory limit and was stopped")]
    OutOfMemory { limit_bytes: usize },
    #[error("JavaScript engine: {message}")]
    Engine { message: String },
}

pub struct Sandbox {
    // Declared before the runtime so it is dropped first.
    context: Context,
    _runtime: Runtime,
    limits: Limits,
    /// Deadline for the running script, in microseconds since `epoch`; 0 when idle.
    deadline: Arc<AtomicU64>,
    epoch: Instant,
}

const SOURCE_GLOBAL: &str = "__journey_studio_source";
const ARGS_GLOBAL: &str = "__journey_studio_args";
/// Script text that calls `f` with the JSON-decoded arguments (awaiting it when `awaited`) and
/// returns its result as JSON text.
fn return_json(awaited: bool) -> String {
    let wait = if awaited { "await " } else { "" };
    format!("const r = {wait}f(...{ARGS_GLOBAL}.map(a => JSON.parse(a))); return r === undefined ? 'null' : JSON.stringify(r) ?? 'null';")
}

/// Puts `body` and the JSON text of each argument into globals (so no user text is ever spliced
/// into a script) and returns the constructor arguments `...["name", ...], source`.
fn bind_call(
    ctx: &rquickjs::Ctx<'_>,
    body: &str,
    args: &[(&str, &serde_json::Value)],
) -> Result<String, JsError> {
    let engine = |e: rquickjs::Error| JsError::Engine {
        message: e.to_string(),
    };
    let names: Vec<&str> = args.iter().map(|(name, _)| *name).collect();
    let values: Vec<String> = args.iter().map(|(_, value)| value.to_string()).collect();
    ctx.globals().set(SOURCE_GLOBAL, body).map_err(engine)?;
    ctx.globals().set(ARGS_GLOBAL, values).map_err(engine)?;
    let params = serde_json::to_string(&names).unwrap_or_else(|_| "[]".into());
    Ok(format!("...{params}, {SOURCE_GLOBAL}"))
}

fn parse_result(text: &str) -> Result<serde_json::Value, JsError> {
    serde_json::from_str(text).map_err(|e| JsError::Engine {
        message: format!("result is not JSON: {e}"),
    })
}

impl Sandbox {
    pub fn new(limits: Limits) -> Result<Sandbox, JsError> {
        let engine = |e: rquickjs::Error| JsError::Engine {
            message: e.to_string(),
        };
        let runtime = Runtime::new().map_err(engine)?;
        runtime.set_memory_limit(limits.memory_bytes);
        runtime.set_max_stack_size(limits.stack_bytes);
        let deadline = Arc::new(AtomicU64::new(0));
        let epoch = Instant::now();
        let watched = deadline.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || {
            let due = watched.load(Ordering::Relaxed);
            due != 0 && epoch.elapsed().as_micros() as u64 > due
        })));
        let context = Context::full(&runtime).map_err(engine)?;
        Ok(Sandbox {
            context,
            _runtime: runtime,
            limits,
            deadline,
            epoch,
        })
    }

    /// Checks that `body` parses as the body of a function, without running any of it.
    pub fn check_function_body(&self, body: &str) -> Result<(), JsError> {
        self.with_deadline(|| {
            self.context.with(|ctx| {
                ctx.globals()
                    .set(SOURCE_GLOBAL, body)
                    .map_err(|e| JsError::Engine {
                        message: e.to_string(),
                    })?;
                let compiled: Result<Function, _> = ctx
                    .eval(format!("new Function({SOURCE_GLOBAL})"))
                    .catch(&ctx);
                compiled.map(|_| ()).map_err(|e| self.classify(e, true))
            })
        })
    }

    /// Checks that `expression` parses where Sim puts a condition: inside
    /// `if (Boolean(\n<expression>\n))` (the newlines keep a trailing `// comment` harmless).
    pub fn check_expression(&self, expression: &str) -> Result<(), JsError> {
        if expression.trim().is_empty() {
            return Err(JsError::Syntax {
                message: "the expression is empty".into(),
                line: None,
                column: None,
            });
        }
        self.check_function_body(&condition_test(expression))
    }

    /// Runs `body` as a function of the named JSON arguments and returns its result as JSON
    /// (`undefined` reads as null).
    pub fn run(
        &self,
        body: &str,
        args: &[(&str, &serde_json::Value)],
    ) -> Result<serde_json::Value, JsError> {
        self.with_deadline(|| {
            self.context.with(|ctx| {
                let call = bind_call(&ctx, body, args)?;
                let script = format!(
                    "(function() {{ const f = new Function({call}); {} }})()",
                    return_json(false)
                );
                let result: Result<String, _> = ctx.eval(script).catch(&ctx);
                let text = result.map_err(|e| self.classify(e, false))?;
                parse_result(&text)
            })
        })
    }

    /// Runs `body` as the body of an `async` function (Sim runs function blocks that way, so
    /// `await` is allowed) and returns what its promise resolves to. Nothing outside the
    /// sandbox exists: a promise that can never settle is reported, not waited for.
    pub fn run_async(
        &self,
        body: &str,
        args: &[(&str, &serde_json::Value)],
    ) -> Result<serde_json::Value, JsError> {
        self.with_deadline(|| {
            self.context.with(|ctx| {
                let call = bind_call(&ctx, body, args)?;
                let script = format!(
                    "(async function() {{ const AsyncFunction = Object.getPrototypeOf(async function() {{}}).constructor; \
                     const f = new AsyncFunction({call}); {} }})()",
                    return_json(true)
                );
                let promise: Result<rquickjs::Promise, _> = ctx.eval(script).catch(&ctx);
                let promise = promise.map_err(|e| self.classify(e, false))?;
                let text: Result<String, _> = promise.finish::<String>().catch(&ctx);
                let text = text.map_err(|e| match e {
                    CaughtError::Error(rquickjs::Error::WouldBlock) => JsError::Thrown {
                        message: "the function awaits something that never settles (nothing outside the sandbox, such as fetch, is available)".into(),
                    },
                    e => self.classify(e, false),
                })?;
                parse_result(&text)
            })
        })
    }

    fn with_deadline<T>(&self, f: impl FnOnce() -> Result<T, JsError>) -> Result<T, JsError> {
        let due = self.epoch.elapsed() + self.limits.time;
        self.deadline
            .store(due.as_micros().max(1) as u64, Ordering::Relaxed);
        let result = f();
        self.deadline.store(0, Ordering::Relaxed);
        result
    }

    fn classify(&self, error: CaughtError<'_>, compiling: bool) -> JsError {
        let (name, message, stack) = match &error {
            CaughtError::Exception(exception) => {
                let name: Option<String> = exception.get("name").ok();
                (
                    name.unwrap_or_default(),
                    exception.message().unwrap_or_default(),
                    exception.stack(),
                )
            }
            CaughtError::Value(value) => {
                let text = value
                    .as_string()
                    .and_then(|s| s.to_string().ok())
                    .unwrap_or_else(|| format!("{value:?}"));
                (String::new(), text, None)
            }
            CaughtError::Error(e) => (String::new(), e.to_string(), None),
        };
        if message.contains("interrupted") {
            return JsError::Timeout {
                limit_ms: self.limits.time.as_millis(),
            };
        }
        if message.contains("out of memory") {
            return JsError::OutOfMemory {
                limit_bytes: self.limits.memory_bytes,
            };
        }
        if compiling || name == "SyntaxError" {
            let (line, column) = stack
                .as_deref()
                .map(position_in_stack)
                .unwrap_or((None, None));
            return JsError::Syntax {
                message,
                line,
                column,
            };
        }
        let message = if name.is_empty() || message.starts_with(&name) {
            message
        } else {
            format!("{name}: {message}")
        };
        JsError::Thrown { message }
    }
}

/// The body Sim's condition handler builds around one branch expression.
pub fn condition_test(expression: &str) -> String {
    format!("if (Boolean(\n{expression}\n)) {{ return true }}\nreturn false")
}

/// `at <input>:3:7` → (3, 7): the first position QuickJS reports.
fn position_in_stack(stack: &str) -> (Option<u32>, Option<u32>) {
    for line in stack.lines() {
        let Some(open) = line.rfind(':') else {
            continue;
        };
        let before = &line[..open];
        let Some(prev) = before.rfind(':') else {
            continue;
        };
        let (l, c) = (
            before[prev + 1..].trim(),
            line[open + 1..].trim_end_matches(')').trim(),
        );
        if let (Ok(l), Ok(c)) = (l.parse(), c.parse()) {
            return (Some(l), Some(c));
        }
    }
    (None, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sandbox() -> Sandbox {
        Sandbox::new(Limits {
            time: Duration::from_millis(200),
            ..Limits::default()
        })
        .unwrap()
    }

    #[test]
    fn expressions_are_checked_without_running() {
        let js = sandbox();
        assert_eq!(js.check_expression("a.b === 'x' && c > 3 // note"), Ok(()));
        // A side effect in a valid expression does not run on a check.
        assert_eq!(js.check_expression("(() => { while (true) {} })()"), Ok(()));
        assert!(matches!(
            js.check_expression("a === "),
            Err(JsError::Syntax { .. })
        ));
        assert!(matches!(
            js.check_expression("   "),
            Err(JsError::Syntax { .. })
        ));
        assert!(matches!(
            js.check_expression("1); foo("),
            Err(JsError::Syntax { .. })
        ));
    }

    #[test]
    fn runs_with_arguments_and_returns_json() {
        let js = sandbox();
        let ctx = json!({"score": 7, "name": "Ada"});
        let out = js.run(
            "return { ok: context.score > 5, who: context.name.toUpperCase() }",
            &[("context", &ctx)],
        );
        assert_eq!(out, Ok(json!({"ok": true, "who": "ADA"})));
        assert_eq!(js.run("return undefined", &[]), Ok(json!(null)));
    }

    #[test]
    fn async_bodies_may_await() {
        let js = sandbox();
        let n = json!(2);
        assert_eq!(
            js.run_async(
                "const x = await Promise.resolve(n); return x * 21",
                &[("n", &n)]
            ),
            Ok(json!(42))
        );
        let err = js
            .run_async("await new Promise(() => {}); return 1", &[])
            .unwrap_err();
        assert!(
            matches!(&err, JsError::Thrown { message } if message.contains("never settles")),
            "{err:?}"
        );
        let err = js.run_async("throw new Error('late')", &[]).unwrap_err();
        assert_eq!(
            err,
            JsError::Thrown {
                message: "Error: late".into()
            }
        );
        assert_eq!(
            js.run_async("while (true) {}", &[]),
            Err(JsError::Timeout { limit_ms: 200 })
        );
    }

    #[test]
    fn thrown_errors_are_reported() {
        let js = sandbox();
        let err = js.run("return missing.field", &[]).unwrap_err();
        assert!(
            matches!(&err, JsError::Thrown { message } if message.contains("missing")),
            "{err:?}"
        );
        let err = js.run("throw new Error('boom')", &[]).unwrap_err();
        assert_eq!(
            err,
            JsError::Thrown {
                message: "Error: boom".into()
            }
        );
    }

    #[test]
    fn runaway_code_is_stopped() {
        let js = sandbox();
        let start = Instant::now();
        assert_eq!(
            js.run("while (true) {}", &[]),
            Err(JsError::Timeout { limit_ms: 200 })
        );
        assert!(start.elapsed() < Duration::from_secs(5));
        let err = js
            .run(
                "const a = []; while (true) a.push('x'.repeat(1 << 16));",
                &[],
            )
            .unwrap_err();
        assert!(
            matches!(err, JsError::OutOfMemory { .. } | JsError::Timeout { .. }),
            "{err:?}"
        );
        let err = js
            .run("function f() { return f() + 1 } return f()", &[])
            .unwrap_err();
        assert!(
            matches!(&err, JsError::Thrown { message } if message.contains("stack")),
            "{err:?}"
        );
        // The sandbox is still usable afterwards.
        assert_eq!(js.run("return 1 + 1", &[]), Ok(json!(2)));
    }
}
