"""The benchmark harness (issue 7): a large portfolio generated from a seed, and a load runner.

- `generate`: one registered generator per data family (`partnering bench_data --scale ...`).
- `run`: serves the app with gunicorn (production settings, 2 sync workers), signs in a
  benchmark user, measures every registered URL with wrk and writes BENCHMARKS.md.
- `settings` / `urls` / `views`: the production settings plus one bare "ok" view, the ceiling
  every page is compared with. Only the runner uses them; the app's own URLconf is untouched.
"""
