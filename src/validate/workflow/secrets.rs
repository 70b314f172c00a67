//! Secrets written into a workflow in plain text: values of Sim's password fields that are not a
//! `{{ENV_VAR}}` reference, and anything shaped like a well-known API key or token.

use crate::sim::references::parse_references;

/// Whether a password field's text holds something besides references (`{{ENV}}`, `<block.x>`):
/// that remainder is a secret typed in.
pub fn is_plain_text_secret(text: &str) -> bool {
    let mut rest = String::with_capacity(text.len());
    let mut last = 0;
    for r in parse_references(text) {
        if r.span.start >= last {
            rest.push_str(&text[last..r.span.start]);
            last = r.span.end;
        }
    }
    rest.push_str(&text[last.min(text.len())..]);
    !rest.trim().is_empty()
}

/// A known key shape: a prefix, the characters allowed after it, how many at least, and what it is.
type Shape = (&'static str, fn(u8) -> bool, usize, &'static str);

const SHAPES: &[Shape] = &[
    (
        "sk-",
        key_char,
        20,
        "an OpenAI/Anthropic-style secret key (sk-...)",
    ),
    ("sk_live_", key_char, 16, "a Stripe live secret key"),
    ("rk_live_", key_char, 16, "a Stripe restricted key"),
    ("xoxb-", key_char, 10, "a Slack bot token (xoxb-...)"),
    ("xoxp-", key_char, 10, "a Slack user token (xoxp-...)"),
    ("xoxa-", key_char, 10, "a Slack app token"),
    ("xapp-", key_char, 10, "a Slack app-level token"),
    ("AKIA", upper_alnum, 16, "an AWS access key id (AKIA...)"),
    (
        "ASIA",
        upper_alnum,
        16,
        "an AWS temporary access key id (ASIA...)",
    ),
    ("ghp_", key_char, 30, "a GitHub personal access token"),
    ("gho_", key_char, 30, "a GitHub OAuth token"),
    ("ghs_", key_char, 30, "a GitHub app token"),
    ("github_pat_", key_char, 30, "a GitHub fine-grained token"),
    ("glpat-", key_char, 20, "a GitLab personal access token"),
    ("AIza", key_char, 35, "a Google API key"),
];

fn key_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn upper_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

/// The kind of the first key-shaped token in `text`, if any.
pub fn looks_like_secret(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    for (prefix, allowed, min, what) in SHAPES {
        let mut from = 0;
        while let Some(at) = text[from..].find(prefix).map(|i| from + i) {
            from = at + prefix.len();
            // The token must start at a boundary: `task-...` is not `sk-...`.
            if at > 0 && key_char(bytes[at - 1]) {
                continue;
            }
            let run = bytes[from..].iter().take_while(|&&b| allowed(b)).count();
            if run >= *min {
                return Some(what);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_versus_references() {
        assert!(!is_plain_text_secret("{{OPENAI_API_KEY}}"));
        assert!(!is_plain_text_secret("  {{KEY}} "));
        assert!(!is_plain_text_secret("<start.apiKey>"));
        assert!(!is_plain_text_secret(""));
        assert!(is_plain_text_secret("hunter2"));
        assert!(is_plain_text_secret("Bearer {{TOKEN}} extra"));
    }

    #[test]
    fn key_shapes() {
        assert!(looks_like_secret("key sk-proj-abcdefghijklmnopqrstuvwx").is_some());
        assert!(looks_like_secret("xoxb-1234567890-abcdefghij").is_some());
        assert!(looks_like_secret("AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(looks_like_secret("ghp_abcdefghijklmnopqrstuvwxyz0123456789").is_some());
        assert_eq!(
            looks_like_secret("ask-the-customer-for-their-order-number"),
            None
        );
        assert_eq!(looks_like_secret("sk-short"), None);
        assert_eq!(looks_like_secret("{{OPENAI_API_KEY}}"), None);
        assert_eq!(looks_like_secret("AKIA lower"), None);
    }
}
