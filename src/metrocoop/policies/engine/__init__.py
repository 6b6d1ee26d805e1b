"""Pure rules of the policy library: segmentation, query parsing, snippets, comparison, replication, metrics."""
