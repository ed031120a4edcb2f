import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import Trainer


class Custom_Trainer(Trainer):
    def get_kl_loss(self, loss_fn, logits_1, logits_2, alpha=1):
        kl_1 = loss_fn(F.log_softmax(logits_1, dim=-1), F.softmax(logits_2, dim=-1))
        kl_2 = loss_fn(F.log_softmax(logits_2, dim=-1), F.softmax(logits_1, dim=-1))
        return alpha * (kl_1 + kl_2) / 2

    def compute_loss(self, model, inputs):
        num_labels = model.config.num_labels
        batch_size = inputs["input_ids"].shape[0]
        labels = inputs.pop("labels")
        for name in list(inputs.keys()):
            inputs[name] = torch.cat([inputs[name], inputs[name]], dim=0)
        logits = model(**inputs).logits
        logits_1, logits_2 = logits[:batch_size], logits[batch_size:]
        ce = nn.CrossEntropyLoss()
        loss_nll = (ce(logits_1.view(-1, num_labels), labels.view(-1)) + ce(logits_2.view(-1, num_labels), labels.view(-1))) / 2
        loss_kl = self.get_kl_loss(nn.KLDivLoss(reduction="batchmean"), logits_1, logits_2)
        return loss_nll + loss_kl
