/**
 * Local sentence embeddings: {@link io.mnemo4j.embed.onnx.OnnxEmbedder} runs small quantized ONNX
 * models shipped inside Maven jars, in process, with no network.
 */
@NullMarked
package io.mnemo4j.embed.onnx;

import org.jspecify.annotations.NullMarked;
