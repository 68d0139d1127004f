//! Token usage and its cost at the model's catalog prices.

use serde::{Deserialize, Serialize};

use crate::plugins::{Cost, Usage};

/// Token counts, summed over any number of responses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    /// All input tokens, cached ones included.
    pub input: u64,
    /// Input tokens read from the provider's cache.
    pub cached_input: u64,
    /// All output tokens, reasoning included.
    pub output: u64,
    /// Output tokens spent on reasoning.
    pub reasoning: u64,
}

impl TokenUsage {
    pub fn add(&mut self, other: TokenUsage) {
        self.input += other.input;
        self.cached_input += other.cached_input;
        self.output += other.output;
        self.reasoning += other.reasoning;
    }
}

impl From<&Usage> for TokenUsage {
    fn from(usage: &Usage) -> Self {
        Self {
            input: usage.input_tokens,
            cached_input: usage.cached_input_tokens.min(usage.input_tokens),
            output: usage.output_tokens,
            reasoning: usage.reasoning_tokens,
        }
    }
}

/// Cost in USD of one response's `usage` at `prices` (USD per million
/// tokens). A price tier applies when the response's input exceeds its
/// threshold; the highest such tier wins.
pub fn response_cost(usage: TokenUsage, prices: &Cost) -> f64 {
    let tier = prices
        .tiers
        .iter()
        .filter(|tier| usage.input > tier.above_input_tokens)
        .max_by_key(|tier| tier.above_input_tokens);
    let (input, output, cache_read) = match tier {
        Some(tier) => (tier.input, tier.output, tier.cache_read),
        None => (prices.input, prices.output, prices.cache_read),
    };
    let uncached = usage.input - usage.cached_input;
    (uncached as f64 * input + usage.cached_input as f64 * cache_read + usage.output as f64 * output) / 1_000_000.0
}

/// Formats a USD amount for the status line.
pub fn format_cost(usd: f64) -> String {
    if usd < 0.01 && usd > 0.0 {
        format!("${usd:.4}")
    } else {
        format!("${usd:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins::CostTier;

    fn prices() -> Cost {
        Cost {
            input: 1.0,
            output: 10.0,
            cache_read: 0.1,
            cache_write: 0.0,
            tiers: vec![CostTier {
                above_input_tokens: 1_000,
                input: 2.0,
                output: 20.0,
                cache_read: 0.2,
                cache_write: 0.0,
            }],
        }
    }

    #[test]
    fn cost_splits_cached_input() {
        let usage = TokenUsage { input: 1_000, cached_input: 400, output: 100, reasoning: 0 };
        // 600 uncached at $1/M + 400 cached at $0.1/M + 100 out at $10/M.
        let expected = (600.0 * 1.0 + 400.0 * 0.1 + 100.0 * 10.0) / 1e6;
        assert!((response_cost(usage, &prices()) - expected).abs() < 1e-12);
    }

    #[test]
    fn tier_applies_above_threshold() {
        let usage = TokenUsage { input: 2_000, cached_input: 0, output: 0, reasoning: 0 };
        assert!((response_cost(usage, &prices()) - 2_000.0 * 2.0 / 1e6).abs() < 1e-12);
    }

    #[test]
    fn small_costs_keep_precision() {
        assert_eq!(format_cost(0.0012), "$0.0012");
        assert_eq!(format_cost(1.5), "$1.50");
        assert_eq!(format_cost(0.0), "$0.00");
    }
}
