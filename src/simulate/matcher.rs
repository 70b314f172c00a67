//! The journey preview's deterministic, explainable matcher: how well a piece of evidence (the
//! customer's message, tool results, context variables) supports an edge's condition.
//!
//! No model, no randomness: the condition and the evidence are reduced to canonical keywords
//! (lower-cased, light stemming, synonym groups), entities in the evidence (an email address,
//! a number, a date, an amount) count as the words that name them, close spellings count
//! partly (Jaro-Winkler), and a negation on one side only weakens the match. The score is the
//! share of the condition's keywords the evidence covers; the reason says which ones.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Below this score a conditional edge is not taken.
pub const THRESHOLD: f64 = 0.5;
/// Tool results are the evidence a tool state's transitions are written about: a lower bar.
pub const TOOL_THRESHOLD: f64 = 0.3;
/// Two scores closer than this are a tie.
pub const TIE_EPSILON: f64 = 1e-9;
/// A negation on one side only multiplies the score by this.
const NEGATION_PENALTY: f64 = 0.3;
/// Credit for a keyword matched only by a close spelling.
const FUZZY_CREDIT: f64 = 0.8;
const FUZZY_MIN_SIMILARITY: f64 = 0.92;

const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "if",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "into",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "am",
    "do",
    "does",
    "did",
    "has",
    "have",
    "had",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "their",
    "they",
    "them",
    "there",
    "he",
    "she",
    "his",
    "her",
    "i",
    "me",
    "my",
    "we",
    "our",
    "you",
    "your",
    "customer",
    "customers",
    "user",
    "agent",
    "would",
    "could",
    "should",
    "will",
    "can",
    "may",
    "might",
    "must",
    "shall",
    "just",
    "so",
    "as",
    "about",
    "some",
    "any",
    "what",
    "which",
    "who",
    "whom",
    "how",
    "when",
    "where",
    "why",
    "please",
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank",
    "want",
    "wants",
    "like",
    "also",
    "too",
    "very",
    "really",
    "all",
    "one",
    "get",
    "got",
    "let",
    "s",
    "t",
    "d",
    "ll",
    "re",
    "ve",
    "m",
];

const NEGATIONS: &[&str] = &[
    "not", "no", "never", "cannot", "cant", "can't", "dont", "don't", "doesnt", "doesn't", "didnt",
    "didn't", "isnt", "isn't", "arent", "aren't", "wasnt", "wasn't", "wont", "won't", "without",
    "nothing", "none", "neither", "nor", "unable", "false",
];

/// Built-in synonym groups; the first word names the group in reasons.
const SYNONYMS: &[&[&str]] = &[
    &[
        "yes",
        "yeah",
        "yep",
        "yup",
        "sure",
        "ok",
        "okay",
        "correct",
        "right",
        "confirm",
        "agree",
        "affirmative",
        "absolutely",
        "true",
    ],
    &[
        "refund",
        "reimburse",
        "reimbursement",
        "repay",
        "money back",
        "chargeback",
    ],
    &["cancel", "stop", "abort", "quit", "nevermind", "forget"],
    &[
        "change",
        "modify",
        "update",
        "edit",
        "switch",
        "alter",
        "reschedule",
        "amend",
    ],
    &[
        "book",
        "reserve",
        "reservation",
        "booking",
        "schedule",
        "appointment",
        "slot",
    ],
    &["help", "assist", "assistance", "support"],
    &[
        "human",
        "person",
        "representative",
        "specialist",
        "operator",
        "manager",
        "someone",
        "staff",
    ],
    &[
        "upset",
        "angry",
        "frustrated",
        "annoyed",
        "furious",
        "unhappy",
        "insist",
        "complain",
        "complaint",
        "ridiculous",
        "unacceptable",
    ],
    &["email", "e-mail", "mail", "address"],
    &["number", "id", "code", "reference", "digits"],
    &[
        "date",
        "day",
        "today",
        "tomorrow",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "week",
        "month",
    ],
    &[
        "time",
        "hour",
        "morning",
        "afternoon",
        "evening",
        "noon",
        "pm",
        "am",
    ],
    &[
        "price", "cost", "amount", "charge", "fee", "pay", "payment", "money", "dollar", "euro",
    ],
    &[
        "provide", "give", "share", "send", "enter", "tell", "say", "mention", "here",
    ],
    &["find", "locate", "lookup", "search", "see", "remember"],
    &["available", "free", "open", "possible"],
    &["unavailable", "taken", "booked", "full"],
    &[
        "eligible",
        "qualify",
        "qualifies",
        "allowed",
        "entitled",
        "approve",
        "approved",
    ],
    &["credit", "voucher", "gift"],
    &["card", "original", "method"],
    &["item", "product", "thing"],
    &["flight", "plane", "fly", "trip", "travel"],
    &["question", "ask", "wonder", "faq", "info", "information"],
    &[
        "problem", "issue", "error", "broken", "trouble", "wrong", "fail", "failed",
    ],
    &[
        "done",
        "finish",
        "finished",
        "complete",
        "completed",
        "accept",
        "accepted",
        "fine",
        "good",
    ],
    &["exchange", "swap", "replace", "replacement"],
];

/// A condition or a piece of evidence reduced to canonical keywords.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Terms {
    /// Canonical keyword -> the word as written (first occurrence), for reasons.
    pub words: Vec<(String, String)>,
    pub negated: bool,
    /// Entities found (email, number, date, amount), for reasons.
    pub entities: Vec<String>,
}

/// How well evidence supports one condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub score: f64,
    pub matched: Vec<String>,
    pub missing: Vec<String>,
    pub reason: String,
}

/// The matcher with its synonym table (built-in groups plus any the scenario adds).
#[derive(Debug, Clone)]
pub struct Matcher {
    canonical: HashMap<String, String>,
    phrases: Vec<(Vec<String>, String)>,
}

impl Default for Matcher {
    fn default() -> Self {
        Matcher::new(&[])
    }
}

fn stem(word: &str) -> String {
    let mut base = word.to_string();
    for suffix in ["ing", "edly", "ed", "ies", "es", "s", "ly"] {
        if let Some(b) = word.strip_suffix(suffix) {
            if b.chars().count() >= 3 {
                base = if suffix == "ies" {
                    format!("{b}y")
                } else {
                    b.to_string()
                };
                break;
            }
        }
    }
    // "provide" and "provided" (or "price" and "prices") meet at "provid" / "pric".
    if base.chars().count() > 3 && base.ends_with('e') {
        base.pop();
    }
    base
}

fn words_of(text: &str) -> Vec<String> {
    let lowered = text.to_lowercase().replace(['’', '‘'], "'");
    lowered
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

impl Matcher {
    pub fn new(extra: &[Vec<String>]) -> Matcher {
        let mut canonical = HashMap::new();
        let mut phrases = Vec::new();
        let groups = SYNONYMS
            .iter()
            .map(|g| g.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .chain(extra.iter().cloned());
        for group in groups {
            let Some(head) = group.first().map(|h| stem(&h.to_lowercase())) else {
                continue;
            };
            for member in &group {
                let parts = words_of(member);
                match parts.as_slice() {
                    [] => {}
                    [single] => {
                        canonical.insert(stem(single), head.clone());
                    }
                    many => phrases.push((many.iter().map(|w| stem(w)).collect(), head.clone())),
                }
            }
        }
        Matcher { canonical, phrases }
    }

    fn canon(&self, stemmed: &str) -> String {
        self.canonical
            .get(stemmed)
            .cloned()
            .unwrap_or_else(|| stemmed.to_string())
    }

    /// Reduces text to canonical keywords, with its negation and the entities it names.
    pub fn terms(&self, text: &str) -> Terms {
        let mut terms = Terms::default();
        let raw = words_of(text);
        let mut seen = BTreeSet::new();
        let mut push = |terms: &mut Terms, key: String, shown: &str| {
            if seen.insert(key.clone()) {
                terms.words.push((key, shown.to_string()));
            }
        };
        let found = entities(text);
        for entity in &found {
            let key = self.canon(entity);
            push(&mut terms, key, entity);
            terms.entities.push(entity.to_string());
        }
        if !found.is_empty() {
            // A message that carries a value is the customer giving it.
            push(&mut terms, self.canon("provide"), found[0]);
        }
        let stemmed: Vec<String> = raw.iter().map(|w| stem(w)).collect();
        for (phrase, head) in &self.phrases {
            if stemmed
                .windows(phrase.len())
                .any(|w| w == phrase.as_slice())
            {
                push(&mut terms, head.clone(), &phrase.join(" "));
            }
        }
        for (word, stemmed) in raw.iter().zip(&stemmed) {
            if NEGATIONS.contains(&word.as_str()) || word.ends_with("n't") {
                terms.negated = true;
                continue;
            }
            if STOPWORDS.contains(&word.as_str()) || word.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            push(&mut terms, self.canon(stemmed), word);
        }
        terms
    }

    /// A condition's alternatives, each scored on its own (the whole condition too):
    /// - "A or B", "A, or B": A and B;
    /// - an enumeration "about A, B, C or D": A (with the words before the list), B, C and D —
    ///   the items before the last "or" are comma-separated, and the last item is short (at most
    ///   `MAX_LAST_ITEM_WORDS` words, no punctuation);
    /// - an "or" inside a phrase ("at or below", "one or more", "whether or not", "30 days or
    ///   later") separates nothing.
    pub fn alternatives(&self, condition: &str) -> Vec<Terms> {
        let lowered = condition.to_lowercase();
        let parts = alternative_texts(&lowered);
        let mut out: Vec<Terms> = parts
            .iter()
            .map(|p| self.terms(p))
            .filter(|t| !t.words.is_empty())
            .collect();
        if out.len() > 1 {
            // "Customer wants X or Y": the subject before the first alternative applies to all.
            out.insert(0, self.terms(condition));
        }
        if out.is_empty() {
            out.push(self.terms(condition));
        }
        out
    }

    /// The best score over a condition's alternatives.
    pub fn score_any(&self, alternatives: &[Terms], evidence: &Terms) -> Score {
        let mut best: Option<Score> = None;
        for (i, alt) in alternatives.iter().enumerate() {
            let mut s = self.score(alt, evidence);
            if alternatives.len() > 1 && i > 0 {
                let words: Vec<&str> = alt.words.iter().map(|(_, w)| w.as_str()).collect();
                s.reason = format!("{} (alternative \"{}\")", s.reason, words.join(" "));
            }
            if best.as_ref().is_none_or(|b| s.score > b.score) {
                best = Some(s);
            }
        }
        best.unwrap_or_else(|| self.score(&Terms::default(), evidence))
    }

    /// Scores `evidence` against `condition`.
    pub fn score(&self, condition: &Terms, evidence: &Terms) -> Score {
        if condition.words.is_empty() {
            return Score {
                score: 0.0,
                matched: vec![],
                missing: vec![],
                reason: "the condition has no keywords".into(),
            };
        }
        let evidence_keys: BTreeSet<&str> =
            evidence.words.iter().map(|(k, _)| k.as_str()).collect();
        let mut credit = 0.0;
        let mut matched = Vec::new();
        let mut missing = Vec::new();
        let mut notes = Vec::new();
        for (key, shown) in &condition.words {
            if evidence_keys.contains(key.as_str()) {
                credit += 1.0;
                let said = evidence
                    .words
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, s)| s.as_str())
                    .unwrap_or(key);
                if said == shown {
                    matched.push(shown.clone());
                } else {
                    matched.push(format!("{shown}≈{said}"));
                }
                continue;
            }
            let close = evidence
                .words
                .iter()
                .filter(|(k, _)| k.chars().count() >= 5 && key.chars().count() >= 5)
                .map(|(k, s)| (strsim::jaro_winkler(k, key), s))
                .filter(|(sim, _)| *sim >= FUZZY_MIN_SIMILARITY)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            match close {
                Some((_, said)) => {
                    credit += FUZZY_CREDIT;
                    matched.push(format!("{shown}~{said}"));
                }
                None => missing.push(shown.clone()),
            }
        }
        let mut score = credit / condition.words.len() as f64;
        if condition.negated != evidence.negated && score > 0.0 {
            score *= NEGATION_PENALTY;
            notes.push(if condition.negated {
                "the condition is negative but the evidence is not".to_string()
            } else {
                "the evidence is negative but the condition is not".to_string()
            });
        }
        let score = (score * 1000.0).round() / 1000.0;
        let mut reason = if matched.is_empty() {
            "no keyword of the condition appears".to_string()
        } else {
            format!("matched {}", matched.join(", "))
        };
        if !missing.is_empty() && !matched.is_empty() {
            reason.push_str(&format!("; missing {}", missing.join(", ")));
        }
        if !evidence.entities.is_empty()
            && matched
                .iter()
                .any(|m| evidence.entities.iter().any(|e| m.contains(e.as_str())))
        {
            notes.push(format!(
                "found {} in the message",
                evidence.entities.join(", ")
            ));
        }
        for note in notes {
            reason.push_str("; ");
            reason.push_str(&note);
        }
        Score {
            score,
            matched,
            missing,
            reason,
        }
    }
}

/// Entity words a text mentions: an email address names `email`, a number `number`, an amount
/// `amount`, a date `date`.
fn entities(text: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let tokens: Vec<&str> = text.split_whitespace().collect();
    if tokens.iter().any(|t| {
        let t = t.trim_matches(|c: char| !c.is_alphanumeric());
        t.split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
    }) {
        out.push("email");
    }
    if tokens
        .iter()
        .any(|t| t.starts_with(['$', '€', '£']) && t.chars().any(|c| c.is_ascii_digit()))
    {
        out.push("amount");
    }
    let has_date = tokens.iter().any(|t| {
        let parts: Vec<&str> = t.split(['/', '-']).collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    });
    if has_date {
        out.push("date");
    }
    if !has_date
        && tokens
            .iter()
            .any(|t| !t.contains('@') && t.chars().filter(|c| c.is_ascii_digit()).count() >= 3)
    {
        out.push("number");
    }
    out
}

/// Words around " or " that make it part of a phrase, not a choice between conditions:
/// "at or below", "one or more", "more or less", "whether or not", "30 days or later".
const OR_BEFORE_IN_PHRASE: &[&str] = &["at", "one", "more", "less", "whether", "sooner"];
const OR_AFTER_IN_PHRASE: &[&str] = &[
    "more", "less", "fewer", "later", "earlier", "above", "below", "not", "so",
];

fn trim_item(p: &str) -> &str {
    p.trim_matches(|c: char| c == ',' || c.is_whitespace())
}

/// The longest last item of an enumeration, in words.
const MAX_LAST_ITEM_WORDS: usize = 4;

/// The texts of a (lower-cased) condition's alternatives; one text when it has none.
fn alternative_texts(lowered: &str) -> Vec<&str> {
    // Split at every " or " that is not inside a phrase.
    let mut segments = Vec::new();
    let mut start = 0;
    for (at, _) in lowered.match_indices(" or ") {
        let before = lowered[..at].split_whitespace().next_back().unwrap_or("");
        let after = lowered[at + 4..]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches(|c: char| !c.is_alphanumeric());
        if OR_BEFORE_IN_PHRASE.contains(&before) || OR_AFTER_IN_PHRASE.contains(&after) {
            continue;
        }
        segments.push(&lowered[start..at]);
        start = at + 4;
    }
    segments.push(&lowered[start..]);
    let mut parts: Vec<&str> = Vec::new();
    // A list ends in a short item ("..., slow internet or a device fault"); a long last part
    // ("a damaged, wrong or unwanted item that has not been returned: ...") is a clause whose
    // commas list adjectives or sub-clauses, not conditions.
    let enumeration = segments.len() > 1
        && segments.last().is_some_and(|last| {
            !last.contains([',', ':', ';', '.'])
                && last.split_whitespace().count() <= MAX_LAST_ITEM_WORDS
        });
    for (i, segment) in segments.iter().enumerate() {
        if enumeration && i + 1 < segments.len() {
            // "A, B, C or D": the comma-separated items before the last "or" are alternatives too.
            parts.extend(segment.split(',').map(trim_item));
        } else {
            parts.push(trim_item(segment));
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(condition: &str, evidence: &str) -> Score {
        let m = Matcher::default();
        m.score(&m.terms(condition), &m.terms(evidence))
    }

    #[test]
    fn keywords_and_synonyms_count() {
        let s = score("The customer wants a refund", "can I get my money back?");
        assert_eq!(s.score, 1.0, "{s:?}");
        assert!(s.reason.contains("refund≈money back"), "{}", s.reason);
    }

    #[test]
    fn negation_on_one_side_weakens_the_match() {
        let found = score(
            "The customer cannot find their order number",
            "I can't find my order number",
        );
        let provided = score(
            "The customer provided an order number",
            "I can't find my order number",
        );
        assert!(found.score > provided.score, "{found:?} {provided:?}");
        assert!(provided.reason.contains("negative"), "{}", provided.reason);
    }

    #[test]
    fn entities_stand_for_the_words_that_name_them() {
        let s = score(
            "The customer provided their checkout email",
            "it's dana@example.com",
        );
        assert!(s.matched.iter().any(|m| m.contains("email")), "{s:?}");
        let s = score("The customer provided an order number", "SW-20931");
        assert!(s.matched.iter().any(|m| m.contains("number")), "{s:?}");
        assert!(
            s.score >= THRESHOLD,
            "giving a value counts as providing it: {s:?}"
        );
    }

    #[test]
    fn close_spellings_get_partial_credit() {
        let s = score("eligible", "eligable");
        assert_eq!(s.score, 0.8, "{s:?}");
    }

    #[test]
    fn alternatives_are_scored_on_their_own() {
        let m = Matcher::default();
        let alts = m.alternatives("The answer did not help, or the customer asks for a human");
        let s = m.score_any(&alts, &m.terms("get me a person"));
        assert!(s.score >= THRESHOLD, "{s:?}");
        assert!(s.reason.contains("alternative"), "{}", s.reason);
    }

    #[test]
    fn enumerations_are_alternatives_and_phrases_are_not() {
        let m = Matcher::default();
        let texts = |c: &str| {
            alternative_texts(&c.to_lowercase())
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            texts("the problem is about the service not working, an outage, slow internet or a device fault"),
            ["the problem is about the service not working", "an outage", "slow internet", "a device fault"]
        );
        assert_eq!(
            texts("The answer did not help, or the customer asks for a human"),
            ["the answer did not help", "the customer asks for a human"]
        );
        assert_eq!(
            texts("The refund amount is at or below the limit, and the order is recent"),
            ["the refund amount is at or below the limit, and the order is recent"]
        );
        assert_eq!(
            texts("one or more items arrived 30 days or later"),
            ["one or more items arrived 30 days or later"]
        );
        // An "or" inside a longer sentence splits it, but its commas are not a list.
        assert_eq!(
            texts("A is late or B is lost, and C is angry"),
            ["a is late", "b is lost, and c is angry"]
        );
        // A long last part is a clause: its commas list adjectives, not conditions.
        assert_eq!(
            texts("The reason is a damaged, wrong or unwanted item that has not been returned yet"),
            [
                "the reason is a damaged, wrong",
                "unwanted item that has not been returned yet"
            ]
        );
        // The outage conversation reaches the technical branch.
        let alts = m.alternatives("the problem is about the service not working, an outage, slow internet or a device fault");
        assert!(
            m.score_any(&alts, &m.terms("There is an outage in my area"))
                .score
                >= THRESHOLD
        );
        let phrase = m.alternatives(
            "The refund amount is at or below the auto-approve limit, and the order is recent",
        );
        assert!(
            m.score_any(&phrase, &m.terms("what is the refund amount?"))
                .score
                < THRESHOLD,
            "no bogus 'refund amount' alternative"
        );
    }

    #[test]
    fn deterministic() {
        assert_eq!(
            score("wants to change the date", "change it to friday"),
            score("wants to change the date", "change it to friday")
        );
    }
}
