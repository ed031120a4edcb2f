"""Weight-decay shapes of round 6 (issue 13): real projects' ways of reaching SG101-SG103.

Each test writes a small project (paraphrased shapes, not copies) and lints it as a tree: the bad
shape fires where the corpus conventions put the finding, the fixed shape stays silent.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from stepguard.findings import Finding
from stepguard.lint import lint_paths


def project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def found(root: Path, code: str) -> list[Finding]:
    return [f for f in lint_paths([root]).findings if f.code == code]


def where(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(Path(f.path or "").name, f.line) for f in findings]


# -- LoRA through a helper of another file ---------------------------------------------------

_LORA_HELPER = """
    from peft import LoraConfig, get_peft_model


    def get_lora_model(model, configs):
        config = LoraConfig(r=configs["rank"], lora_alpha=32, bias=BIAS, target_modules=["q", "v"])
        return get_peft_model(model, config)
"""

_LORA_TRAIN = """
    import torch
    from transformers import AutoModelForCausalLM

    from lora_utils import get_lora_model


    def main(args):
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        peft_model = get_lora_model(model, {"rank": 8})
        optimizer = torch.optim.AdamW(peft_model.parameters(), lr=1e-4, weight_decay=0.05)
        return optimizer
"""


def test_adamw_over_a_peft_model_built_by_a_helper_of_another_file_is_silent(
    tmp_path: Path,
) -> None:
    # peft freezes the base model; bias="none" leaves only the LoRA A/B matrices trainable.
    quiet = project(
        tmp_path / "quiet",
        {"lora_utils.py": _LORA_HELPER.replace("BIAS", '"none"'), "train.py": _LORA_TRAIN},
    )
    assert found(quiet, "SG102") == []
    # bias="all" trains every bias of the base model: decayed at 0.05.
    loud = project(
        tmp_path / "loud",
        {"lora_utils.py": _LORA_HELPER.replace("BIAS", '"all"'), "train.py": _LORA_TRAIN},
    )
    assert where(found(loud, "SG102")) == [("train.py", 10)]
    # Without the helper (the whole model trains), the same optimizer is SG102.
    plain = project(
        tmp_path / "plain",
        {"train.py": _LORA_TRAIN.replace("get_lora_model(model, {\"rank\": 8})", "model")
         .replace("from lora_utils import get_lora_model\n", "")},
    )
    assert where(found(plain, "SG102")) == [("train.py", 9)]
