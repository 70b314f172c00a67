//! What the preview understands of a customer's message, offline and deterministic: the keyword
//! matcher ([`Matcher`]: negation, entities, explainable keywords) combined with sentence
//! embeddings ([`super::embed`]) of more than the condition's text — the condition rewritten
//! in the customer's words, and the example customer messages a designer adds to a transition
//! (`metadata.examples`, like Dialogflow's training phrases). A state's question (its action)
//! tells whether a reply completes the step ([`Slots`], evasive replies).
//!
//! Scores are in 0..1; a transition is taken at or above [`super::journey::SessionOptions`]'
//! threshold. Everything here is an approximation of what Parlant's LLM judges; see
//! docs/simulation.md ("What remains an approximation").

use super::embed::{cosine, Embedder, Vector};
use super::matcher::{Matcher, Terms};
use std::sync::Arc;

/// Cosine (after the negation penalty) at or below which the paraphrase score is 0.
pub const SEMANTIC_FLOOR: f64 = 0.2;
/// Cosine at or above which the paraphrase score is 1.
pub const SEMANTIC_FULL: f64 = 0.7;
/// Subtracted from a prototype's cosine when exactly one of it and the message is negative.
pub const SEMANTIC_NEGATION_PENALTY: f64 = 0.2;

/// Which matcher a session runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MatcherKind {
    /// Sentence embeddings (all-MiniLM-L6-v2) combined with keywords.
    Paraphrase,
    /// Keywords, synonyms and entities only.
    Keywords,
}

/// Where a text the message is compared with comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Condition,
    /// The condition in the customer's words ("I have a destination in mind").
    CustomerWords,
    /// An example customer message the designer attached to the transition.
    Example,
}

impl Origin {
    fn label(self) -> &'static str {
        match self {
            Origin::Condition => "the condition",
            Origin::CustomerWords => "the condition in the customer's words",
            Origin::Example => "the example",
        }
    }
}

/// One text a transition is recognised by, embedded once per session.
#[derive(Debug, Clone)]
pub struct Prototype {
    pub text: String,
    pub origin: Origin,
    pub negated: bool,
    /// -1 says no (a negation or a refusing word), 1 says yes, 0 neither.
    pub polarity: i8,
    pub vector: Vector,
}

/// A customer's message as evidence: its keywords and, with the model, its embedding.
#[derive(Debug, Clone)]
pub struct Message {
    pub text: String,
    pub terms: Terms,
    pub vector: Option<Vector>,
}

/// How well a message supports one transition.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub score: f64,
    pub keyword: f64,
    pub semantic: Option<f64>,
    pub reason: String,
}

/// The texts of a condition a message is compared with: the condition and its customer-words
/// form (deduplicated), then the designer's examples.
pub fn prototype_texts(condition: &str, examples: &[String]) -> Vec<(String, Origin)> {
    let mut out = vec![(condition.to_string(), Origin::Condition)];
    let mine = customer_words(condition);
    if !mine.eq_ignore_ascii_case(condition) {
        out.push((mine, Origin::CustomerWords));
    }
    out.extend(
        examples
            .iter()
            .filter(|e| !e.trim().is_empty())
            .map(|e| (e.clone(), Origin::Example)),
    );
    out
}

/// Scores a message against a transition: keywords (the condition's alternatives) and, when both
/// have embeddings, the best prototype's cosine mapped to 0..1. The score is the better of the two.
pub fn judge(
    matcher: &Matcher,
    alternatives: &[Terms],
    prototypes: &[Prototype],
    message: &Message,
) -> Judged {
    let keyword = matcher.score_any(alternatives, &message.terms);
    let message_polarity = polarity(&message.text, message.terms.negated);
    let mut best: Option<(f64, f64, &Prototype, bool)> = None;
    if let Some(v) = &message.vector {
        for p in prototypes {
            let raw = cosine(v, &p.vector);
            // Exactly one of them says no (a negation or a refusing word).
            let mismatch = (p.polarity < 0) != (message_polarity < 0);
            let adjusted = if mismatch {
                raw - SEMANTIC_NEGATION_PENALTY
            } else {
                raw
            };
            if best.is_none_or(|(b, ..)| adjusted > b) {
                best = Some((adjusted, raw, p, mismatch));
            }
        }
    }
    let Some((adjusted, raw, proto, mismatch)) = best else {
        return Judged {
            score: keyword.score,
            keyword: keyword.score,
            semantic: None,
            reason: format!("keywords: {}", keyword.reason),
        };
    };
    let semantic =
        round3(((adjusted - SEMANTIC_FLOOR) / (SEMANTIC_FULL - SEMANTIC_FLOOR)).clamp(0.0, 1.0));
    let mut reason = format!(
        "paraphrase {semantic:.2}: cosine {raw:.2} with {} \"{}\"",
        proto.origin.label(),
        short(&proto.text)
    );
    if mismatch {
        reason.push_str(&format!(
            " (-{SEMANTIC_NEGATION_PENALTY}: {})",
            if message_polarity < 0 {
                "the message says no, it does not"
            } else {
                "it says no, the message does not"
            }
        ));
    }
    reason.push_str(&format!(
        "; keywords {:.2}: {}",
        keyword.score, keyword.reason
    ));
    Judged {
        score: semantic.max(keyword.score),
        keyword: keyword.score,
        semantic: Some(semantic),
        reason,
    }
}

/// Embeds prototype texts (through the process-wide cache of fixed texts).
pub fn embed_prototypes(
    embedder: &Arc<Embedder>,
    matcher: &Matcher,
    texts: &[(String, Origin)],
) -> Result<Vec<Prototype>, String> {
    let refs: Vec<&str> = texts.iter().map(|(t, _)| t.as_str()).collect();
    let vectors = embedder.embed_fixed(&refs)?;
    Ok(texts
        .iter()
        .zip(vectors)
        .map(|((text, origin), vector)| {
            let negated = matcher.terms(text).negated;
            Prototype {
                text: text.clone(),
                origin: *origin,
                negated,
                polarity: polarity(text, negated),
                vector,
            }
        })
        .collect())
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}

/// A condition in the customer's words: "The customer does not know where they want to go" ->
/// "I do not know where I want to go". Conditions are written about the customer in the third
/// person; messages are in the first.
pub fn customer_words(condition: &str) -> String {
    const SUBJECTS: &[&str] = &[
        "the customer",
        "the visitor",
        "the caller",
        "the user",
        "customer",
        "visitor",
        "they",
    ];
    const VERBS: &[(&str, &str)] = &[
        ("has", "have"),
        ("hasn't", "haven't"),
        ("does", "do"),
        ("doesn't", "don't"),
        ("is", "am"),
        ("isn't", "am not"),
        ("was", "was"),
        ("wants", "want"),
        ("needs", "need"),
        ("says", "say"),
        ("asks", "ask"),
        ("gives", "give"),
        ("prefers", "prefer"),
        ("accepts", "accept"),
        ("declines", "decline"),
        ("insists", "insist"),
        ("confirms", "confirm"),
        ("changes", "change"),
        ("picks", "pick"),
        ("chooses", "choose"),
        ("likes", "like"),
        ("knows", "know"),
        ("cannot", "cannot"),
        ("can't", "can't"),
        ("still", "still"),
        ("only", "only"),
        ("no", "no"),
        ("gives", "give"),
    ];
    let words: Vec<&str> = condition.split_whitespace().collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    let mut after_subject = false;
    while i < words.len() {
        let lower = words[i].to_lowercase();
        let two = if i + 1 < words.len() {
            format!("{lower} {}", words[i + 1].to_lowercase())
        } else {
            String::new()
        };
        if [
            "the customer's",
            "the visitor's",
            "the caller's",
            "the user's",
        ]
        .contains(&two.as_str())
        {
            out.push("my".into());
            i += 2;
            after_subject = false;
            continue;
        }
        if SUBJECTS.contains(&two.as_str()) {
            out.push("I".into());
            i += 2;
            after_subject = true;
            continue;
        }
        let (core, tail) = split_punct(words[i]);
        let core_lower = core.to_lowercase();
        let replaced = match core_lower.as_str() {
            _ if after_subject => VERBS
                .iter()
                .find(|(third, _)| *third == core_lower)
                .map(|(_, first)| first.to_string()),
            "they" | "customer" | "visitor" => Some("I".into()),
            "their" => Some("my".into()),
            "them" => Some("me".into()),
            "themselves" => Some("myself".into()),
            "theirs" => Some("mine".into()),
            _ => None,
        };
        after_subject = matches!(core_lower.as_str(), "they" | "customer" | "visitor")
            || (after_subject
                && matches!(
                    core_lower.as_str(),
                    "still" | "only" | "no" | "longer" | "really" | "also" | "just"
                ));
        out.push(format!(
            "{}{tail}",
            replaced.unwrap_or_else(|| core.to_string())
        ));
        i += 1;
    }
    out.join(" ")
}

fn split_punct(word: &str) -> (&str, &str) {
    let end = word
        .trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '\'')
        .len();
    (&word[..end], &word[end..])
}

/// Words with which a customer refuses or finds fault, beside negations.
const REFUSING: &[&str] = &[
    "bad", "busy", "nah", "nope", "pass", "decline", "declined", "terrible", "awful", "useless",
    "clash", "wrong", "fails", "failed", "broken", "stuck", "error",
];
/// Words with which a customer agrees or is content.
const AGREEING: &[&str] = &[
    "yes",
    "yeah",
    "yep",
    "sure",
    "ok",
    "okay",
    "good",
    "great",
    "perfect",
    "fine",
    "works",
    "deal",
    "alright",
    "love",
    "brilliant",
    "thanks",
    "absolutely",
];

/// Whether a text says no (-1), yes (1) or neither (0): a negation or a refusing word says no.
pub fn polarity(text: &str, negated: bool) -> i8 {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if negated || words.iter().any(|w| REFUSING.contains(w)) {
        -1
    } else if words.iter().any(|w| AGREEING.contains(w)) {
        1
    } else {
        0
    }
}

/// Kinds of information a step's question asks for and a message can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    Date,
    Time,
    Number,
    Email,
    Amount,
}

impl Slot {
    pub fn name(self) -> &'static str {
        match self {
            Slot::Date => "a date",
            Slot::Time => "a time",
            Slot::Number => "a number",
            Slot::Email => "an email address",
            Slot::Amount => "an amount",
        }
    }
}

/// What a step's action asks for, read from its words ("Get the dates of travel and the number
/// of passengers" asks for a date and a number). Empty when it asks for nothing this can check.
pub fn requested_slots(action: &str) -> Vec<Slot> {
    let full = action.to_lowercase();
    // What the step asks starts at its asking verb: "Tell the customer a code was sent by email
    // and ask them to type it" asks for no email.
    let start = [" ask ", " get ", " collect ", " request "]
        .iter()
        .filter_map(|v| format!(" {full}").find(v))
        .min()
        .unwrap_or(0);
    let lower = full[start.min(full.len())..].to_string();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    let mut out = Vec::new();
    if has("date") || has("dates") || has("day") || has("days") {
        out.push(Slot::Date);
    }
    if has("time") || has("times") {
        out.push(Slot::Time);
    }
    if (has("number") && !lower.contains("phone number"))
        || lower.contains("how many")
        || has("passengers")
        || has("code")
    {
        out.push(Slot::Number);
    }
    if has("email") || has("e-mail") {
        out.push(Slot::Email);
    }
    if has("amount") || has("price") || has("budget") {
        out.push(Slot::Amount);
    }
    // "Ask which day and time suit them best" asks for one answer, not two things: a day or a
    // time is enough.
    if out == [Slot::Date, Slot::Time] && lower.contains("and time") {
        out.truncate(1);
    }
    out
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];
const DAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "tomorrow",
    "tonight",
    "weekend",
    "week",
    "month",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "christmas",
    "easter",
];
const PARTS_OF_DAY: &[&str] = &[
    "morning",
    "afternoon",
    "evening",
    "noon",
    "midday",
    "night",
    "lunchtime",
    "am",
    "pm",
];
const NUMBER_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "couple", "pair", "both", "alone", "solo", "myself", "family", "single", "dozen",
];

/// The kinds of information a message gives.
pub fn filled_slots(text: &str) -> Vec<Slot> {
    let lower = text.to_lowercase();
    let tokens: Vec<&str> = lower.split_whitespace().collect();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    let digits = |w: &str| w.chars().any(|c| c.is_ascii_digit());
    let date = words.iter().any(|w| MONTHS.contains(w) || DAYS.contains(w))
        || tokens.iter().any(|t| {
            let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
            parts.len() >= 2
                && parts.len() <= 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
        })
        || words.iter().any(|w| {
            ["1st", "2nd", "3rd"].contains(w)
                || (w.ends_with("th")
                    && w[..w.len() - 2].chars().all(|c| c.is_ascii_digit())
                    && w.len() > 2)
        });
    if date {
        out.push(Slot::Date);
    }
    let time = words.iter().any(|w| {
        PARTS_OF_DAY.contains(w) || ((w.ends_with("am") || w.ends_with("pm")) && digits(w))
    }) || tokens.iter().any(|t| {
        t.split_once(':').is_some_and(|(h, m)| {
            digits(h) && m.len() >= 2 && m[..2].chars().all(|c| c.is_ascii_digit())
        })
    });
    if time {
        out.push(Slot::Time);
    }
    let number = words
        .iter()
        .any(|w| w.chars().any(|c| c.is_ascii_digit()) && !w.ends_with("am") && !w.ends_with("pm"))
        || words.iter().any(|w| NUMBER_WORDS.contains(w))
        || lower.contains("just me")
        || lower.contains("only me")
        || lower.contains(" and my ")
        || lower.starts_with("me and ");
    if number {
        out.push(Slot::Number);
    }
    if tokens.iter().any(|t| {
        let t = t.trim_matches(|c: char| !c.is_alphanumeric());
        t.split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
    }) {
        out.push(Slot::Email);
    }
    // "$40", "40 euros", "20k", "1.5m".
    let scaled = |w: &str| {
        (w.ends_with('k') || w.ends_with('m'))
            && w.len() > 1
            && w[..w.len() - 1]
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.')
    };
    if tokens
        .iter()
        .any(|t| t.starts_with(['$', '€', '£']) && digits(t))
        || words
            .iter()
            .any(|w| ["dollars", "euros", "pounds", "usd", "eur", "gbp"].contains(w) || scaled(w))
        || tokens.iter().any(|t| {
            // A price written with cents: "49.90".
            let t = t.trim_matches(|c: char| !c.is_ascii_digit());
            t.split_once(['.', ',']).is_some_and(|(a, b)| {
                !a.is_empty()
                    && b.len() == 2
                    && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
            })
        })
    {
        out.push(Slot::Amount);
    }
    out
}

/// Replies that answer nothing: the customer asks back, stalls or hesitates.
const EVASIVE: &[&str] = &[
    "hold on",
    "wait",
    "one moment",
    "one sec",
    "just a sec",
    "hang on",
    "let me check",
    "let me think",
    "hmm",
    "hm",
    "why",
    "what do you mean",
    "why do you need",
    "i don't know",
    "i dont know",
    "not sure",
    "no idea",
    "dunno",
    "later",
    "huh",
];

/// Words of replies that only stall: they answer no question at all.
const STALL_WORDS: &[&str] = &[
    "hello",
    "hi",
    "hey",
    "good",
    "morning",
    "afternoon",
    "hold",
    "on",
    "wait",
    "one",
    "moment",
    "sec",
    "second",
    "just",
    "a",
    "hang",
    "let",
    "me",
    "check",
    "think",
    "hmm",
    "hm",
    "huh",
    "um",
    "uh",
    "well",
    "so",
    "why",
];

/// Whether a reply only stalls ("hmm", "hold on", "why?", "hi"): every word of it is a stalling word.
pub fn stalls(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| STALL_WORDS.contains(&w))
}

/// A condition that holds when no other of its step's does ("the problem fits none of these
/// categories", "the customer gives another reason").
pub fn catch_all(condition: &str) -> bool {
    let lower = condition.to_lowercase();
    [
        "none of these",
        "none of the above",
        "fits none",
        "another reason",
        "any other",
        "something else",
        "other reason",
        "no reason",
    ]
    .iter()
    .any(|p| lower.contains(p))
}

/// Whether a reply stalls or asks back instead of answering (a keyword list; see docs).
pub fn evasive(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase().replace(['’', '‘'], "'");
    let trimmed = lower.trim().trim_end_matches(['.', '!', '?', ',']).trim();
    if trimmed.is_empty() {
        return Some("(empty)");
    }
    EVASIVE.iter().copied().find(|e| {
        trimmed == *e
            || trimmed.starts_with(&format!("{e} "))
            || trimmed.starts_with(&format!("{e},"))
            || trimmed.starts_with(&format!("{e}?"))
    })
}

/// Phrases with which a customer gives up what the journey is for (Parlant exits a journey when
/// "the customer explicitly indicates they no longer want to pursue the journey's original goal",
/// journey_next_step_selection.py).
const ABANDON: &[&str] = &[
    "never mind",
    "nevermind",
    "forget it",
    "forget about it",
    "forget the whole thing",
    "no longer want",
    "don't want to anymore",
    "dont want to anymore",
    "not interested anymore",
    "i give up",
    "let's stop",
    "lets stop",
    "stop this",
    "cancel this",
    "cancel the whole thing",
    "something else",
    "another topic",
    "i'll do it later",
    "i changed my mind",
    "changed my mind",
];

/// Prototypes of giving up, for the paraphrase matcher.
pub const ABANDON_PROTOTYPES: &[&str] = &[
    "never mind, forget it",
    "I don't want to do this anymore",
    "let's talk about something else",
    "I changed my mind, stop",
];

/// A phrase of giving up found in the message.
pub fn abandon_phrase(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase().replace(['’', '‘'], "'");
    ABANDON.iter().copied().find(|p| lower.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_read_in_the_customers_words() {
        assert_eq!(
            customer_words("The customer has a destination in mind"),
            "I have a destination in mind"
        );
        assert_eq!(
            customer_words("The customer does not know where they want to go"),
            "I do not know where I want to go"
        );
        assert_eq!(
            customer_words("the customer wants to try another day"),
            "I want to try another day"
        );
        assert_eq!(
            customer_words("The customer's order never arrived"),
            "my order never arrived"
        );
        assert_eq!(
            customer_words("the customer still needs help or asks for a person"),
            "I still need help or asks for a person"
        );
    }

    #[test]
    fn slots_asked_and_given() {
        assert_eq!(
            requested_slots("Get the dates of travel and the number of passengers"),
            [Slot::Date, Slot::Number]
        );
        assert_eq!(
            requested_slots("Ask which day and time suit them best"),
            [Slot::Date]
        );
        assert!(requested_slots("Ask what the visit is for").is_empty());
        assert!(requested_slots(
            "Tell the customer a 6-digit code was sent by email and ask them to type it"
        )
        .is_empty());
        assert_eq!(
            requested_slots(
                "Explain that you need to verify their identity and ask for the email on file"
            ),
            [Slot::Email]
        );
        assert_eq!(
            filled_slots("June 3 to June 10, two passengers"),
            [Slot::Date, Slot::Number]
        );
        assert_eq!(filled_slots("next friday to sunday"), [Slot::Date]);
        assert_eq!(filled_slots("it's dana@example.com"), [Slot::Email]);
        assert_eq!(filled_slots("3pm works"), [Slot::Time]);
        assert!(filled_slots("Yes, a budget of 20k").contains(&Slot::Amount));
    }

    #[test]
    fn evasive_and_abandoning_replies() {
        assert_eq!(evasive("hmm, let me think"), Some("hmm"));
        assert_eq!(evasive("Why do you need that?"), Some("why"));
        assert_eq!(evasive("June 3"), None);
        assert!(stalls("Hmm, let me think") && stalls("hello!") && stalls(""));
        assert!(
            !stalls("hmm none of these, what if I leave a day later")
                && !stalls("wait, no, I don't want it")
        );
        assert_eq!(
            abandon_phrase("Never mind, I'll sort it out myself"),
            Some("never mind")
        );
        assert_eq!(abandon_phrase("Rome please"), None);
    }
}
