from peft import LoraConfig, get_peft_model


def get_lora_model(model, configs):
    lora_config = LoraConfig(
        r=configs["lora_rank"],
        lora_alpha=configs["lora_alpha"],
        lora_dropout=configs["lora_dropout"],
        bias=configs["lora_bias"],
        target_modules=configs["target_modules"],
    )
    peft_model = get_peft_model(model, lora_config)
    return peft_model
