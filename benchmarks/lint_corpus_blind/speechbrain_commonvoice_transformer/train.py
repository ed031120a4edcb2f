"""CommonVoice Transformer ASR recipe (CTC + attention); hparams come from a HyperPyYAML file."""
import sys

import torch

import speechbrain as sb
from speechbrain.core import Brain


class ASR(Brain):
    def compute_forward(self, batch, stage):
        wavs, wav_lens = batch.sig
        tokens_bos, _ = batch.tokens_bos
        feats = self.hparams.compute_features(wavs)
        src = self.modules.CNN(feats)
        enc_out, pred = self.modules.Transformer(src, tokens_bos, wav_lens, pad_idx=self.hparams.pad_index)
        p_ctc = self.hparams.log_softmax(self.modules.ctc_lin(enc_out))
        p_seq = self.hparams.log_softmax(self.modules.seq_lin(pred))
        return p_ctc, p_seq, wav_lens

    def compute_objectives(self, predictions, batch, stage):
        p_ctc, p_seq, wav_lens = predictions
        tokens_eos, tokens_eos_lens = batch.tokens_eos
        tokens, tokens_lens = batch.tokens
        loss_seq = self.hparams.seq_cost(p_seq, tokens_eos, length=tokens_eos_lens)
        loss_ctc = self.hparams.ctc_cost(p_ctc, tokens, wav_lens, tokens_lens)
        return self.hparams.ctc_weight * loss_ctc + (1 - self.hparams.ctc_weight) * loss_seq

    def fit_batch(self, batch):
        # switch from Adam to SGD once stage one is over
        self.check_and_reset_optimizer()

        predictions = self.compute_forward(batch, sb.Stage.TRAIN)
        loss = self.compute_objectives(predictions, batch, sb.Stage.TRAIN)

        # normalize the loss by the gradient-accumulation factor
        (loss / self.hparams.gradient_accumulation).backward()

        if self.step % self.hparams.gradient_accumulation == 0:
            # clips and skips non-finite losses
            self.check_gradients(loss)

            self.optimizer.step()
            self.optimizer.zero_grad()

            # anneal the LR once per update
            self.hparams.noam_annealing(self.optimizer)

        return loss.detach()

    def check_and_reset_optimizer(self):
        current_epoch = self.hparams.epoch_counter.current
        if not hasattr(self, "switched"):
            self.switched = isinstance(self.optimizer, torch.optim.SGD)
        if self.switched:
            return
        if current_epoch > self.hparams.stage_one_epochs:
            self.optimizer = self.hparams.SGD(self.modules.parameters())
            self.switched = True


if __name__ == "__main__":
    hparams_file, run_opts, overrides = sb.parse_arguments(sys.argv[1:])
    hparams = sb.load_hparams(hparams_file, overrides)
    asr_brain = ASR(modules=hparams["modules"], opt_class=hparams["Adam"], hparams=hparams, run_opts=run_opts)
    asr_brain.fit(hparams["epoch_counter"], hparams["train_data"])
