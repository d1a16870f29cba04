//! Extractive summary: TextRank over sentence similarity, then maximal
//! marginal relevance so that no two picked sentences say the same thing.

use super::vectors::TermVector;

/// PageRank damping, as in the TextRank paper.
const DAMPING: f64 = 0.85;
/// Weight of centrality against novelty when picking (MMR lambda).
const LAMBDA: f64 = 0.7;
/// Sentences at least this similar to a picked one are duplicates, never picked.
const DUPLICATE: f64 = 0.65;

/// Centrality of each sentence: PageRank over the cosine-similarity graph.
pub fn text_rank(vectors: &[TermVector]) -> Vec<f64> {
    let n = vectors.len();
    if n == 0 {
        return Vec::new();
    }
    let mut weights = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let w = vectors[i].cosine(&vectors[j]);
            weights[i][j] = w;
            weights[j][i] = w;
        }
    }
    let out_sums: Vec<f64> = weights.iter().map(|row| row.iter().sum()).collect();
    let mut rank = vec![1.0 / n as f64; n];
    for _ in 0..100 {
        let mut next = vec![(1.0 - DAMPING) / n as f64; n];
        for j in 0..n {
            if out_sums[j] == 0.0 {
                // A sentence sharing nothing spreads its rank evenly (no rank sink).
                next.iter_mut()
                    .for_each(|r| *r += DAMPING * rank[j] / n as f64);
                continue;
            }
            for (i, r) in next.iter_mut().enumerate() {
                if weights[j][i] > 0.0 {
                    *r += DAMPING * rank[j] * weights[j][i] / out_sums[j];
                }
            }
        }
        let delta: f64 = next.iter().zip(&rank).map(|(a, b)| (a - b).abs()).sum();
        rank = next;
        if delta < 1e-9 {
            break;
        }
    }
    rank
}

/// Picks up to `count` sentence indices by MMR from `candidates` (indices into
/// `vectors`/`scores`), skipping any too similar to `already` or to one picked.
/// Returns them in pick order (most central first).
pub fn pick(
    vectors: &[TermVector],
    scores: &[f64],
    candidates: &[usize],
    already: &[usize],
    count: usize,
) -> Vec<usize> {
    let max = candidates
        .iter()
        .map(|&i| scores[i])
        .fold(f64::MIN_POSITIVE, f64::max);
    let mut chosen: Vec<usize> = Vec::new();
    let mut pool: Vec<usize> = candidates.to_vec();
    while chosen.len() < count {
        let mut best: Option<(usize, f64)> = None;
        for (k, &i) in pool.iter().enumerate() {
            let redundancy = already
                .iter()
                .chain(&chosen)
                .map(|&j| vectors[i].cosine(&vectors[j]))
                .fold(0.0, f64::max);
            if redundancy >= DUPLICATE {
                continue;
            }
            let value = LAMBDA * scores[i] / max - (1.0 - LAMBDA) * redundancy;
            if best.is_none_or(|(_, b)| value > b) {
                best = Some((k, value));
            }
        }
        match best {
            Some((k, _)) => chosen.push(pool.swap_remove(k)),
            None => break,
        }
    }
    chosen
}
