//! TF-IDF vectors of sentences and their cosine similarity.

use std::collections::HashMap;

/// A sparse term-weight vector, normalised to unit length.
#[derive(Debug, Clone, Default)]
pub struct TermVector(HashMap<String, f64>);

impl TermVector {
    /// Cosine similarity with another unit vector.
    pub fn cosine(&self, other: &TermVector) -> f64 {
        let (small, large) = if self.0.len() <= other.0.len() {
            (&self.0, &other.0)
        } else {
            (&other.0, &self.0)
        };
        small
            .iter()
            .filter_map(|(t, w)| large.get(t).map(|v| w * v))
            .sum()
    }

    /// Whether it has no terms.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Its terms and weights.
    pub fn terms(&self) -> impl Iterator<Item = (&String, &f64)> {
        self.0.iter()
    }
}

/// TF-IDF vectors of documents given as term lists (sentences, windows).
pub fn tf_idf(docs: &[Vec<String>]) -> Vec<TermVector> {
    let mut df: HashMap<&str, usize> = HashMap::new();
    for doc in docs {
        let mut seen: Vec<&str> = doc.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for t in seen {
            *df.entry(t).or_default() += 1;
        }
    }
    let n = docs.len() as f64;
    docs.iter()
        .map(|doc| {
            let mut tf: HashMap<String, f64> = HashMap::new();
            for t in doc {
                *tf.entry(t.clone()).or_default() += 1.0;
            }
            for (t, w) in tf.iter_mut() {
                let d = df.get(t.as_str()).copied().unwrap_or(1) as f64;
                // Smoothed idf: a term in every sentence still counts a little.
                *w *= 1.0 + (n / d).ln();
            }
            let norm = tf.values().map(|w| w * w).sum::<f64>().sqrt();
            if norm > 0.0 {
                tf.values_mut().for_each(|w| *w /= norm);
            }
            TermVector(tf)
        })
        .collect()
}
