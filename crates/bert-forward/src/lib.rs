//! BERT's forward pass (Devlin et al. 2019, as Hugging Face's `BertModel` computes it) on plain
//! `f32` rows, for sentence embeddings of a few short texts at a time.
//!
//! Why not a tensor library: a customer's message is ~10 tokens, and at that size a general
//! tensor runtime spends more on per-op bookkeeping (thread hand-offs, allocations, reading the
//! CPU count) than on arithmetic; the preview must answer a turn in a few milliseconds. The dense
//! products, which are nearly all of the work, go to `gemm` (the matrix kernels candle and faer
//! use); what is left (layer norm, attention over ≤ 128 tokens, GELU, pooling) is a few loops.
//!
//! The sequences of a batch are stacked token by token (no padding): the dense layers see every
//! token of every text as one matrix; attention and pooling stay within each text.

use std::sync::Arc;

mod int8;
use int8::QuantDense;

/// How the dense layers compute: in `f32` as the weights file stores them, or in integers (8-bit
/// weights quantised at load, 16-bit inputs per row; see `int8`), 2–3x faster for one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    F32,
    Int8,
}

/// An embedding: `hidden` floats of unit length (or zero, for an empty text).
pub type Vector = Arc<[f32]>;

/// Longest input in tokens (the model's tokenizer truncates here too).
pub const MAX_TOKENS: usize = 128;

/// The model's hyper-parameters, read from its `config.json`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Config {
    pub hidden_size: usize,
    pub num_attention_heads: usize,
    pub num_hidden_layers: usize,
    pub intermediate_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    pub max_position_embeddings: usize,
}

fn default_eps() -> f64 {
    1e-12
}

impl Config {
    /// Bounds on what the file may ask for (all-MiniLM-L6-v2: 384, 12, 6, 1536, 512).
    pub fn check(&self) -> Result<(), String> {
        let bounded = |name: &str, v: usize, max: usize| {
            if v == 0 || v > max {
                Err(format!("`{name}` is {v}; expected 1..={max}"))
            } else {
                Ok(())
            }
        };
        bounded("hidden_size", self.hidden_size, 4096)?;
        bounded("num_attention_heads", self.num_attention_heads, 64)?;
        bounded("num_hidden_layers", self.num_hidden_layers, 48)?;
        bounded("intermediate_size", self.intermediate_size, 16384)?;
        bounded(
            "max_position_embeddings",
            self.max_position_embeddings,
            8192,
        )?;
        if !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return Err("`hidden_size` is not a multiple of `num_attention_heads`".into());
        }
        if self.max_position_embeddings < MAX_TOKENS {
            return Err(format!(
                "`max_position_embeddings` is {}; the preview needs at least {MAX_TOKENS}",
                self.max_position_embeddings
            ));
        }
        Ok(())
    }
}

/// Named `f32` tensors of the weights file, each checked against the shape the model needs.
pub struct Weights<'a> {
    file: safetensors::SafeTensors<'a>,
}

impl<'a> Weights<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Weights<'a>, String> {
        Ok(Weights {
            file: safetensors::SafeTensors::deserialize(bytes).map_err(|e| e.to_string())?,
        })
    }

    /// The tensor `name` as `f32`s; `shape` with a 0 accepts any size on that axis.
    fn take(&self, name: &str, shape: &[usize]) -> Result<(Vec<f32>, Vec<usize>), String> {
        let view = self
            .file
            .tensor(name)
            .map_err(|_| format!("no tensor `{name}`"))?;
        let dims = view.shape().to_vec();
        let fits = dims.len() == shape.len()
            && dims.iter().zip(shape).all(|(d, s)| *s == 0 || d == s)
            && dims.iter().all(|d| *d > 0 && *d <= 1_000_000);
        if !fits {
            return Err(format!("`{name}` has shape {dims:?}, expected {shape:?}"));
        }
        if view.dtype() != safetensors::Dtype::F32 {
            return Err(format!("`{name}` is {:?}; expected F32", view.dtype()));
        }
        let data = view.data();
        let values: Vec<f32> = data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if values.len() != dims.iter().product::<usize>() {
            return Err(format!(
                "`{name}`: the data does not fill its shape {dims:?}"
            ));
        }
        Ok((values, dims))
    }

    fn vector(&self, name: &str, len: usize) -> Result<Vec<f32>, String> {
        Ok(self.take(name, &[len])?.0)
    }

    fn dense(
        &self,
        prefix: &str,
        out: usize,
        inp: usize,
        precision: Precision,
    ) -> Result<Linear, String> {
        let (weight, _) = self.take(&format!("{prefix}.weight"), &[out, inp])?;
        let bias = self.vector(&format!("{prefix}.bias"), out)?;
        Ok(Linear::new(&weight, bias, out, inp, precision))
    }

    fn norm(&self, prefix: &str, width: usize, eps: f32) -> Result<Norm, String> {
        Ok(Norm {
            weight: self.vector(&format!("{prefix}.weight"), width)?,
            bias: self.vector(&format!("{prefix}.bias"), width)?,
            eps,
        })
    }
}

/// A dense layer in the precision the model was loaded with.
enum Linear {
    F32(Dense),
    Int8(QuantDense),
}

impl Linear {
    fn new(weight: &[f32], bias: Vec<f32>, out: usize, inp: usize, precision: Precision) -> Linear {
        match precision {
            Precision::F32 => Linear::F32(Dense::new(weight, bias, out, inp)),
            Precision::Int8 => Linear::Int8(QuantDense::new(weight, bias, out, inp)),
        }
    }

    fn forward(&self, x: &[f32], rows: usize) -> Vec<f32> {
        match self {
            Linear::F32(dense) => dense.forward(x, rows),
            Linear::Int8(dense) => dense.forward(x, rows),
        }
    }
}

/// A dense layer `y = x · Wᵀ + b` in `f32`.
struct Dense {
    /// W column by column (in × out, row-major): the matrix kernel then reads it in place
    /// instead of repacking 1.7 MB of it on every call.
    weight_t: Vec<f32>,
    bias: Vec<f32>,
    out: usize,
    inp: usize,
}

impl Dense {
    /// From W as stored (out × in, row-major).
    fn new(weight: &[f32], bias: Vec<f32>, out: usize, inp: usize) -> Dense {
        let mut weight_t = vec![0f32; out * inp];
        for (j, row) in weight.chunks_exact(inp).enumerate() {
            for (k, w) in row.iter().enumerate() {
                weight_t[k * out + j] = *w;
            }
        }
        Dense {
            weight_t,
            bias,
            out,
            inp,
        }
    }

    /// `x` is `rows × inp`; the answer is `rows × out`.
    fn forward(&self, x: &[f32], rows: usize) -> Vec<f32> {
        assert_eq!(x.len(), rows * self.inp, "dense layer input");
        let mut y = Vec::with_capacity(rows * self.out);
        for _ in 0..rows {
            y.extend_from_slice(&self.bias);
        }
        let work = rows * self.out * self.inp;
        let threads = rayon::current_num_threads();
        if work >= 1 << 24 || threads < 2 || work < 1 << 20 {
            // A batch (a journey's texts): gemm splits it itself. A tiny product: one thread.
            let parallelism = if work >= 1 << 24 && threads > 1 {
                gemm::Parallelism::Rayon(0)
            } else {
                gemm::Parallelism::None
            };
            self.product(&mut y, x, rows, 0, self.out, parallelism);
        } else {
            // One message (~10 tokens): each thread takes a band of the output features.
            let bands = threads.min(4);
            let per = self.out.div_ceil(bands);
            let out = SendPtr(y.as_mut_ptr());
            rayon::scope(|scope| {
                for band in 0..bands {
                    let (from, to) = (band * per, ((band + 1) * per).min(self.out));
                    let out = &out;
                    let x = &x;
                    scope.spawn(move |_| {
                        // SAFETY: the bands write disjoint features of `y`.
                        unsafe {
                            self.product_raw(out.0, x, rows, from, to, gemm::Parallelism::None)
                        }
                    });
                }
            });
        }
        y
    }
}

/// A pointer the threads of one product share; each writes its own part.
struct SendPtr(*mut f32);
// SAFETY: used only by `Dense::forward`, whose threads write disjoint elements.
unsafe impl Sync for SendPtr {}
unsafe impl Send for SendPtr {}

impl Dense {
    /// Features `from..to` of `y = x · Wᵀ + b` (y prefilled with the bias).
    fn product(
        &self,
        y: &mut [f32],
        x: &[f32],
        rows: usize,
        from: usize,
        to: usize,
        parallelism: gemm::Parallelism,
    ) {
        assert_eq!(y.len(), rows * self.out, "dense layer output");
        // SAFETY: `y` has rows × out elements (asserted).
        unsafe { self.product_raw(y.as_mut_ptr(), x, rows, from, to, parallelism) }
    }

    /// # Safety
    /// `y` points to rows × out elements that nothing else reads or writes in features
    /// `from..to` while this runs.
    unsafe fn product_raw(
        &self,
        y: *mut f32,
        x: &[f32],
        rows: usize,
        from: usize,
        to: usize,
        parallelism: gemm::Parallelism,
    ) {
        assert!(from <= to && to <= self.out && x.len() == rows * self.inp);
        // Computed as yᵀ = W · xᵀ (out × rows), which in memory is y (rows × out, row-major):
        // every operand is then column-major, the kernel's own layout. With the strides below
        // the kernel reads and writes only: yᵀ[j][r] = y[r·out + j] and W[j][k] =
        // weight_t[k·out + j] for j in from..to, xᵀ[k][r] = x[r·inp + k].
        gemm::gemm(
            to - from,
            rows,
            self.inp,
            y.add(from),
            self.out as isize,
            1,
            true,
            self.weight_t.as_ptr().add(from),
            self.out as isize,
            1,
            x.as_ptr(),
            self.inp as isize,
            1,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// Layer normalisation over each row of `width` values, in place.
struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
    eps: f32,
}

impl Norm {
    fn apply(&self, x: &mut [f32]) {
        let width = self.weight.len();
        for row in x.chunks_exact_mut(width) {
            let mean = sum(row) / width as f32;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / width as f32;
            let inv = 1.0 / (var + self.eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
                *v = (*v - mean) * inv * w + b;
            }
        }
    }
}

struct Layer {
    /// Query, key and value projections in one matrix (h -> 3 x h).
    qkv: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    intermediate: Linear,
    output: Linear,
    output_norm: Norm,
}

pub struct Bert {
    /// Token embeddings, vocabulary × hidden.
    word: Vec<f32>,
    vocab: usize,
    /// Position embeddings, max positions × hidden.
    position: Vec<f32>,
    /// Token type 0's embedding (every input here is one segment).
    token_type: Vec<f32>,
    norm: Norm,
    layers: Vec<Layer>,
    heads: usize,
    head_dim: usize,
    pub hidden: usize,
}

impl Bert {
    /// The model from its weights file (tensor names as Hugging Face's `BertModel` saves them),
    /// its dense layers computing in `precision`.
    pub fn load(w: &Weights, config: &Config, precision: Precision) -> Result<Bert, String> {
        config.check()?;
        let h = config.hidden_size;
        let inner = config.intermediate_size;
        let eps = config.layer_norm_eps as f32;
        // The vocabulary size is the tokenizer's: the word table may have any number of rows.
        let (word, dims) = w.take("embeddings.word_embeddings.weight", &[0, h])?;
        let (position, _) = w.take(
            "embeddings.position_embeddings.weight",
            &[config.max_position_embeddings, h],
        )?;
        let (token_types, _) = w.take("embeddings.token_type_embeddings.weight", &[0, h])?;
        let norm = w.norm("embeddings.LayerNorm", h, eps)?;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for l in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            let projection = |name: &str| {
                let at = format!("{p}.attention.self.{name}");
                Ok::<_, String>((
                    w.take(&format!("{at}.weight"), &[h, h])?.0,
                    w.vector(&format!("{at}.bias"), h)?,
                ))
            };
            let ((q, qb), (k, kb), (v, vb)) = (
                projection("query")?,
                projection("key")?,
                projection("value")?,
            );
            let qkv = Linear::new(
                &[q, k, v].concat(),
                [qb, kb, vb].concat(),
                3 * h,
                h,
                precision,
            );
            layers.push(Layer {
                qkv,
                attention_out: w.dense(&format!("{p}.attention.output.dense"), h, h, precision)?,
                attention_norm: w.norm(&format!("{p}.attention.output.LayerNorm"), h, eps)?,
                intermediate: w.dense(&format!("{p}.intermediate.dense"), inner, h, precision)?,
                output: w.dense(&format!("{p}.output.dense"), h, inner, precision)?,
                output_norm: w.norm(&format!("{p}.output.LayerNorm"), h, eps)?,
            });
        }
        let heads = config.num_attention_heads;
        Ok(Bert {
            word,
            vocab: dims[0],
            position,
            token_type: token_types[..h].to_vec(),
            norm,
            layers,
            heads,
            head_dim: h / heads,
            hidden: h,
        })
    }

    /// The sentence embedding of each token-id sequence: BERT, then sentence-transformers'
    /// pooling for this model (mean over the tokens, then unit length: `1_Pooling/config.json`
    /// `pooling_mode_mean_tokens`, `2_Normalize`). An empty sequence gives the zero vector.
    pub fn forward(&self, batch: &[Vec<u32>]) -> Vec<Vector> {
        let h = self.hidden;
        let lens: Vec<usize> = batch.iter().map(|s| s.len().min(MAX_TOKENS)).collect();
        let rows: usize = lens.iter().sum();
        // Embeddings: word + position + token type, then layer norm.
        let mut x = Vec::with_capacity(rows * h);
        for (seq, &len) in batch.iter().zip(&lens) {
            for (pos, &id) in seq[..len].iter().enumerate() {
                // An id outside the table (a tokenizer that does not fit the weights) reads as [UNK].
                let id = if (id as usize) < self.vocab {
                    id as usize
                } else {
                    100.min(self.vocab - 1)
                };
                let word = &self.word[id * h..(id + 1) * h];
                let position = &self.position[pos * h..(pos + 1) * h];
                x.extend(
                    word.iter()
                        .zip(position)
                        .zip(&self.token_type)
                        .map(|((w, p), t)| w + p + t),
                );
            }
        }
        self.norm.apply(&mut x);
        let scale = 1.0 / (self.head_dim as f32).sqrt();
        for layer in &self.layers {
            let qkv = layer.qkv.forward(&x, rows);
            let context = self.attention(&qkv, &lens, scale);
            let mut attended = layer.attention_out.forward(&context, rows);
            add(&mut attended, &x);
            layer.attention_norm.apply(&mut attended);
            let mut inner = layer.intermediate.forward(&attended, rows);
            gelu(&mut inner);
            x = layer.output.forward(&inner, rows);
            add(&mut x, &attended);
            layer.output_norm.apply(&mut x);
        }
        let mut out = Vec::with_capacity(batch.len());
        let mut start = 0;
        for &len in &lens {
            let mut mean = vec![0f32; h];
            for row in x[start * h..(start + len) * h].chunks_exact(h) {
                add(&mut mean, row);
            }
            start += len;
            let n = len.max(1) as f32;
            mean.iter_mut().for_each(|v| *v /= n);
            let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
            mean.iter_mut().for_each(|v| *v /= norm);
            out.push(Arc::from(mean));
        }
        out
    }

    /// Multi-head self-attention of each sequence over its own tokens: `qkv` holds, per token,
    /// the query, key and value rows (3 × hidden); the answer is the context, rows × hidden.
    fn attention(&self, qkv: &[f32], lens: &[usize], scale: f32) -> Vec<f32> {
        let (h, d) = (self.hidden, self.head_dim);
        let stride = 3 * h;
        let rows: usize = lens.iter().sum();
        let mut context = vec![0f32; rows * h];
        let mut scores = Vec::with_capacity(MAX_TOKENS);
        let mut start = 0;
        for &len in lens {
            for head in 0..self.heads {
                let (q_at, k_at, v_at) = (head * d, h + head * d, 2 * h + head * d);
                for t in start..start + len {
                    let q = &qkv[t * stride + q_at..t * stride + q_at + d];
                    scores.clear();
                    scores.extend(
                        (start..start + len).map(|s| {
                            dot(q, &qkv[s * stride + k_at..s * stride + k_at + d]) * scale
                        }),
                    );
                    softmax(&mut scores);
                    let out = &mut context[t * h + head * d..t * h + head * d + d];
                    for (s, p) in (start..start + len).zip(&scores) {
                        let v = &qkv[s * stride + v_at..s * stride + v_at + d];
                        out.iter_mut().zip(v).for_each(|(o, v)| *o += p * v);
                    }
                }
            }
            start += len;
        }
        context
    }
}

fn add(x: &mut [f32], y: &[f32]) {
    x.iter_mut().zip(y).for_each(|(a, b)| *a += b);
}

/// A sum in eight lanes, so that it vectorises (a float sum in one lane cannot be reordered).
fn sum(x: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let chunks = x.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().sum();
    for c in chunks {
        lanes.iter_mut().zip(c).for_each(|(l, v)| *l += v);
    }
    lanes.iter().sum::<f32>() + tail
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        lanes
            .iter_mut()
            .zip(x.iter().zip(y))
            .for_each(|(l, (a, b))| *l += a * b);
    }
    lanes.iter().sum::<f32>() + tail
}

fn softmax(x: &mut [f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut total = 0.0;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        total += *v;
    }
    x.iter_mut().for_each(|v| *v /= total);
}

/// BERT's GELU, the exact one: `x · Φ(x) = x/2 · (1 + erf(x/√2))`, in place.
fn gelu(x: &mut [f32]) {
    const FRAC_1_SQRT_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
    x.iter_mut()
        .for_each(|v| *v = 0.5 * *v * (1.0 + erf(*v * FRAC_1_SQRT_2)));
}

/// erf for `f32` as a rational function of x (an odd polynomial of degree 13 over an even one of
/// degree 8, inputs clamped to [-4, 4] where erf is ±1 in f32): only multiplications and
/// additions, so a row of them vectorises. These are the coefficients Eigen and XLA use for
/// single-precision erf (Eigen `generic_fast_erf_float`); computed in f32 it is within 5e-7 of
/// the exact erf (tested below), a few units of f32's last place.
fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = -2.726_142_3e-10_f32;
    p = p * x2 + 2.770_681_4e-8;
    p = p * x2 - 2.101_024e-6;
    p = p * x2 - 5.692_506_4e-5;
    p = p * x2 - 7.349_906_3e-4;
    p = p * x2 - 2.954_6e-3;
    p = p * x2 - 1.609_603_3e-2;
    let mut q = -1.456_607_2e-5_f32;
    q = q * x2 - 2.133_740_6e-4;
    q = q * x2 - 1.682_827e-3;
    q = q * x2 - 7.373_329e-3;
    q = q * x2 - 1.426_474e-2;
    x * p / q
}

#[cfg(test)]
mod tests {
    use super::*;

    /// erf by its series (exact to f64 rounding for |x| ≤ 4 with enough terms).
    fn erf_series(x: f64) -> f64 {
        let mut term = x;
        let mut total = x;
        for n in 1..200 {
            term *= -x * x / n as f64;
            total += term / (2 * n + 1) as f64;
        }
        total * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn erf_matches_the_series() {
        let mut worst = 0f64;
        for i in -3000..=3000 {
            let x = i as f64 / 1000.0;
            worst = worst.max((f64::from(erf(x as f32)) - erf_series(x)).abs());
        }
        assert!(worst < 5e-7, "max error {worst}");
        assert_eq!(erf(10.0), erf(4.0));
        assert!((erf(4.0) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let mut x = vec![1.0, 3.0, 2.0, -1e4];
        softmax(&mut x);
        assert!((x.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(x[1] > x[2] && x[2] > x[0] && x[3] < 1e-6);
    }

    #[test]
    fn dense_is_x_times_w_transposed_plus_b() {
        // W (out 2 × in 3), x (2 rows × 3).
        let dense = Dense::new(&[1.0, 2.0, 3.0, 0.0, -1.0, 0.5], vec![10.0, 20.0], 2, 3);
        let y = dense.forward(&[1.0, 1.0, 1.0, 2.0, 0.0, -2.0], 2);
        assert_eq!(y, vec![16.0, 19.5, 6.0, 19.0]);
    }

    #[test]
    fn sums_in_lanes_equal_plain_sums() {
        let a: Vec<f32> = (0..37).map(|i| i as f32 * 0.5).collect();
        let b: Vec<f32> = (0..37).map(|i| 1.0 - i as f32 * 0.25).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-3);
        assert!((sum(&a) - a.iter().sum::<f32>()).abs() < 1e-4);
    }
}
