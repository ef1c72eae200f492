/**
 * Text data for masked language modelling: readers ({@link
 * io.github.ssl4j.core.text.PlainTextReader}, {@link io.github.ssl4j.core.text.JsonLinesReader},
 * {@link io.github.ssl4j.core.text.CsvColumnReader}) returning immutable {@link
 * io.github.ssl4j.core.text.Document}s; the {@link io.github.ssl4j.core.text.Tokenizer} SPI with a
 * default {@link io.github.ssl4j.core.text.WordTokenizer} and BERT's {@link
 * io.github.ssl4j.core.text.WordPieceTokenizer} (vocabularies from a BERT vocab.txt via {@link
 * io.github.ssl4j.core.text.WordPieceVocabulary}, or learnt by {@link
 * io.github.ssl4j.core.text.WordPieceTrainer});
 * a {@link io.github.ssl4j.core.text.Vocabulary} with fixed special ids that saves and loads as
 * JSON; a split by document ({@link io.github.ssl4j.core.text.TrainTestSplit}); and fixed-length
 * token windows ({@link io.github.ssl4j.core.text.TokenWindows}, {@link
 * io.github.ssl4j.core.text.TokenWindowSource}); {@link io.github.ssl4j.core.text.WindowedCorpus}
 * puts them together (80 / 20 split, 8,000-token vocabulary, windows of [CLS] + 63 tokens by
 * default).
 *
 * <pre>{@code
 * List<Document> docs = PlainTextReader.onePerFile().read(Path.of("texts"));
 * WindowedCorpus corpus = WindowedCorpus.builder().seed(0).build(docs);
 *
 * // or step by step:
 * TrainTestSplit<Document> split = TrainTestSplit.of(docs, 0.8, 0);
 * Vocabulary vocab = Vocabulary.build(WordTokenizer.INSTANCE,
 *     split.train().stream().map(Document::text).toList(), 8000);
 * List<int[]> encoded = split.train().stream().map(d -> vocab.encode(d.text())).toList();
 * ExampleSource windows = TokenWindowSource.of(TokenWindows.of(encoded, 64));   // [n, 64] ids
 * }</pre>
 */
package io.github.ssl4j.core.text;
