//! Topics: the timeline cut where the vocabulary shifts (TextTiling over
//! sentence windows), each titled by its most distinctive words.

use super::sentences::Sentence;
use super::tokens::{content_terms, is_stop_word, stem, words};
use super::vectors::tf_idf;
use super::Topic;
use std::collections::HashMap;

/// Shortest topic, seconds; shorter stretches join their neighbour.
const MIN_TOPIC_SECS: f64 = 45.0;
/// Fewest sentences in a topic.
const MIN_TOPIC_SENTENCES: usize = 4;

/// Splits the meeting into topics in time order, covering it from the first
/// sentence to the end.
pub fn topics(sentences: &[Sentence], duration: f64) -> Vec<Topic> {
    if sentences.is_empty() {
        return Vec::new();
    }
    let terms: Vec<Vec<String>> = sentences.iter().map(|s| content_terms(&s.text)).collect();
    let mut starts = vec![0usize];
    starts.extend(boundaries(&terms, sentences));
    let end = duration.max(sentences.last().map_or(0.0, |s| s.end));
    let groups: Vec<(usize, usize)> = starts
        .iter()
        .enumerate()
        .map(|(k, &s)| (s, starts.get(k + 1).copied().unwrap_or(sentences.len())))
        .collect();
    let docs: Vec<Vec<String>> = groups.iter().map(|&(a, b)| terms[a..b].concat()).collect();
    groups
        .iter()
        .enumerate()
        .map(|(k, &(a, b))| Topic {
            title: title(&sentences[a..b], &docs, k),
            start_secs: if k == 0 { 0.0 } else { sentences[a].start },
            end_secs: groups
                .get(k + 1)
                .map_or(end, |&(next, _)| sentences[next].start),
        })
        .collect()
}

/// Sentence indices where a new topic starts (TextTiling depth scores).
fn boundaries(terms: &[Vec<String>], sentences: &[Sentence]) -> Vec<usize> {
    let n = terms.len();
    if n < 2 * MIN_TOPIC_SENTENCES {
        return Vec::new();
    }
    let window = (n / 10).clamp(3, 6);
    // Similarity of the windows before and after each gap.
    let gaps: Vec<f64> = (1..n)
        .map(|g| {
            let before = terms[g.saturating_sub(window)..g].concat();
            let after = terms[g..(g + window).min(n)].concat();
            let v = tf_idf(&[before, after]);
            v[0].cosine(&v[1])
        })
        .collect();
    // Depth: how far a gap's similarity dips below the peaks on either side.
    let depth: Vec<f64> = (0..gaps.len())
        .map(|i| {
            let left = gaps[..=i]
                .iter()
                .rev()
                .scan(f64::MIN, |m, &g| {
                    if g >= *m {
                        *m = g;
                        Some(g)
                    } else {
                        None
                    }
                })
                .fold(gaps[i], f64::max);
            let right = gaps[i..]
                .iter()
                .scan(f64::MIN, |m, &g| {
                    if g >= *m {
                        *m = g;
                        Some(g)
                    } else {
                        None
                    }
                })
                .fold(gaps[i], f64::max);
            (left - gaps[i]) + (right - gaps[i])
        })
        .collect();
    let mean = depth.iter().sum::<f64>() / depth.len() as f64;
    let sd = (depth.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / depth.len() as f64).sqrt();
    let cutoff = (mean + sd / 2.0).max(0.1);
    let mut candidates: Vec<(usize, f64)> = depth
        .iter()
        .enumerate()
        .filter(|(_, d)| **d > cutoff)
        .map(|(i, d)| (i + 1, *d))
        .collect();
    // Deepest first; keep those that leave every topic long enough.
    candidates.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut chosen: Vec<usize> = Vec::new();
    for (at, _) in candidates {
        let mut trial = chosen.clone();
        trial.push(at);
        trial.sort_unstable();
        let mut edges = vec![0];
        edges.extend(&trial);
        edges.push(n);
        let long_enough = edges.windows(2).all(|w| {
            let secs = sentences[w[1] - 1].end - sentences[w[0]].start;
            w[1] - w[0] >= MIN_TOPIC_SENTENCES && secs >= MIN_TOPIC_SECS
        });
        if long_enough {
            chosen = trial;
        }
    }
    chosen
}

/// The topic's three most distinctive words, as said (most frequent surface form).
fn title(sentences: &[Sentence], docs: &[Vec<String>], k: usize) -> String {
    let vectors = tf_idf(docs);
    let mut surface: HashMap<String, HashMap<String, usize>> = HashMap::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (pos, w) in sentences.iter().flat_map(|s| words(&s.text)).enumerate() {
        if w.chars().count() < 3 || is_stop_word(&w) || w.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let st = stem(&w);
        first_seen.entry(st.clone()).or_insert(pos);
        *surface.entry(st).or_default().entry(w).or_default() += 1;
    }
    let mut scored: Vec<(&String, f64)> = vectors[k]
        .terms()
        .filter(|(t, _)| surface.contains_key(*t))
        .map(|(t, w)| (t, *w))
        .collect();
    scored.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| first_seen.get(a.0).cmp(&first_seen.get(b.0)))
    });
    let picked: Vec<String> = scored
        .iter()
        .take(3)
        .filter_map(|(t, _)| {
            surface.get(*t).and_then(|forms| {
                forms
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map(|(w, _)| w.clone())
            })
        })
        .collect();
    let mut title = picked.join(", ");
    if let Some(first) = title.chars().next() {
        title = first.to_uppercase().chain(title.chars().skip(1)).collect();
    }
    title
}
