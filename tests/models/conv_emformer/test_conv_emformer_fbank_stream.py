"""End to end: Wav2LogFilterBank.online_inference feeding ConvEmformer.infer, equal to the offline path."""

import torch

from lhotse_lite.features.kaldi.layers import Wav2LogFilterBank
from lhotse_lite.models.conv_emformer import ConvEmformer

S, R = 8, 2


def test_streaming_fbank_into_conv_emformer_equals_offline():
    torch.manual_seed(0)
    fbank = Wav2LogFilterBank(num_filters=40)
    model = ConvEmformer(40, 2, 64, 2, S, 5, left_context_length=4, right_context_length=R, max_memory_size=2)
    model.eval()
    audio = torch.randn(1, 16000) * 0.1  # 1 s at 16 kHz: 100 frames

    # Offline: features of the whole signal, zero-padded to whole segments plus R frames of look-ahead.
    feats = fbank(audio)
    num_frames = feats.size(1)
    num_segments = -(-num_frames // S)
    padded = torch.nn.functional.pad(feats, (0, 0, 0, num_segments * S + R - num_frames))
    with torch.no_grad():
        expected, _ = model(padded, torch.tensor([num_frames]))
    expected = expected[:, :num_frames]

    # Streaming: audio arrives in 1234-sample blocks; features are buffered into S + R frame chunks.
    context = None
    buffer = feats.new_zeros(1, 0, 40)
    states = None
    outputs = []
    with torch.no_grad():
        for start in range(0, audio.size(1), 1234):
            (new_feats, _), context = fbank.online_inference(audio[:, start : start + 1234], context)
            buffer = torch.cat([buffer, new_feats], dim=1)
            while buffer.size(1) >= S + R:
                out, _, states = model.infer(buffer[:, : S + R], torch.tensor([S + R]), states)
                outputs.append(out)
                buffer = buffer[:, S:]
        last_feats, _ = fbank.flush(context)
        buffer = torch.cat([buffer, last_feats], dim=1)
        remaining = buffer.size(1)
        buffer = torch.nn.functional.pad(buffer, (0, 0, 0, -(-remaining // S) * S + R - remaining))
        for i in range(-(-remaining // S)):
            valid = min(remaining - i * S, S)
            out, _, states = model.infer(buffer[:, i * S : i * S + S + R], torch.tensor([valid + R]), states)
            outputs.append(out[:, :valid])
    streamed = torch.cat(outputs, dim=1)
    assert streamed.shape == expected.shape == (1, num_frames, 40)
    torch.testing.assert_close(streamed, expected, rtol=0.0, atol=1e-5)
