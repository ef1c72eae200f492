/**
 * Text data for masked language modelling (workload W3): readers ({@link
 * io.github.ssl4j.core.text.SpamAssassinReader}, {@link io.github.ssl4j.core.text.PlainTextReader})
 * returning immutable {@link io.github.ssl4j.core.text.Document}s; the {@link
 * io.github.ssl4j.core.text.Tokenizer} SPI with W3's {@link io.github.ssl4j.core.text.WordTokenizer};
 * a {@link io.github.ssl4j.core.text.Vocabulary} with fixed special ids that saves and loads as
 * JSON; a split by document ({@link io.github.ssl4j.core.text.TrainTestSplit}); and fixed-length
 * token windows ({@link io.github.ssl4j.core.text.TokenWindows}, {@link
 * io.github.ssl4j.core.text.TokenWindowSource}); {@link io.github.ssl4j.core.text.WindowedCorpus}
 * puts them together with W3's settings.
 *
 * <p>Everything matches the PyTorch peer of {@code bench/WORKLOADS.md} W3 (tokeniser regex, body
 * after the first blank line, sorted file order, NumPy-exact 80/20 split, {@code
 * Counter.most_common} vocabulary order, [CLS] + 63 windows), so the same seed gives the peer's
 * exact token-id windows.
 *
 * <pre>{@code
 * WindowedCorpus corpus = WindowedCorpus.w3(SpamAssassinReader.read(Path.of("spam/package/data")), 0);
 *
 * // or step by step:
 * List<Document> mails = SpamAssassinReader.read(Path.of("spam/package/data"));
 * TrainTestSplit<Document> split = TrainTestSplit.of(mails, 0.8, 0);
 * Vocabulary vocab = Vocabulary.build(WordTokenizer.INSTANCE,
 *     split.train().stream().map(Document::text).toList(), 8000);
 * List<int[]> encoded = split.train().stream().map(d -> vocab.encode(d.text())).toList();
 * ExampleSource windows = TokenWindowSource.of(TokenWindows.of(encoded, 64));   // [n, 64] ids
 * }</pre>
 */
package io.github.ssl4j.core.text;
