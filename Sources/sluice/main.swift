import SluiceJSON

print("sluice: JSON tools (validate, tokens, frames) are being built")
