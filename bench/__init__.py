"""Benchmarks for ocrspace (see bench/ocr)."""
