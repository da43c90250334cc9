//! A tiny SoundFont writer for the tests: enough of the format to build
//! small files with chosen presets, instruments, generators, modulators and
//! sample data, terminal records included.

/// Generator records as (operator, raw amount).
pub(crate) mod gen {
    pub fn key(lo: u8, hi: u8) -> (u16, u16) {
        (43, u16::from(lo) | (u16::from(hi) << 8))
    }
    pub fn vel(lo: u8, hi: u8) -> (u16, u16) {
        (44, u16::from(lo) | (u16::from(hi) << 8))
    }
    pub fn i(oper: u16, amount: i16) -> (u16, u16) {
        (oper, amount as u16)
    }
    pub fn sample(id: u16) -> (u16, u16) {
        (53, id)
    }
    pub fn instrument(id: u16) -> (u16, u16) {
        (41, id)
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct TZone {
    pub gens: Vec<(u16, u16)>,
    /// src, dest, amount, amount source, transform.
    pub mods: Vec<(u16, u16, i16, u16, u16)>,
}

impl TZone {
    pub fn gens(gens: &[(u16, u16)]) -> TZone {
        TZone {
            gens: gens.to_vec(),
            mods: Vec::new(),
        }
    }

    pub fn with_mods(mut self, mods: &[(u16, u16, i16, u16, u16)]) -> TZone {
        self.mods = mods.to_vec();
        self
    }
}

#[derive(Clone, Debug)]
pub(crate) struct TSample {
    pub name: String,
    pub start: u32,
    pub end: u32,
    pub loop_start: u32,
    pub loop_end: u32,
    pub rate: u32,
    pub pitch: u8,
    pub correction: i8,
    pub link: u16,
    pub kind: u16,
}

impl TSample {
    pub fn new(name: &str, start: u32, end: u32, pitch: u8) -> TSample {
        TSample {
            name: name.into(),
            start,
            end,
            loop_start: start,
            loop_end: start,
            rate: 44100,
            pitch,
            correction: 0,
            link: 0,
            kind: 1,
        }
    }

    pub fn looped(mut self, loop_start: u32, loop_end: u32) -> TSample {
        self.loop_start = loop_start;
        self.loop_end = loop_end;
        self
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Builder {
    pub smpl: Vec<i16>,
    /// The `smpl` chunk's bytes as given (SF3's Ogg streams), instead of `smpl`.
    pub smpl_bytes: Option<Vec<u8>>,
    pub sm24: Option<Vec<u8>>,
    pub version: (u16, u16),
    pub name: String,
    pub samples: Vec<TSample>,
    pub instruments: Vec<(String, Vec<TZone>)>,
    /// name, program, bank, zones.
    pub presets: Vec<(String, u16, u16, Vec<TZone>)>,
}

pub(crate) fn chunk(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = id.to_vec();
    v.extend((data.len() as u32).to_le_bytes());
    v.extend(data);
    if data.len() % 2 == 1 {
        v.push(0);
    }
    v
}

pub(crate) fn list(kind: &[u8; 4], parts: &[Vec<u8>]) -> Vec<u8> {
    let mut body = kind.to_vec();
    for p in parts {
        body.extend(p);
    }
    chunk(b"LIST", &body)
}

fn name20(name: &str) -> [u8; 20] {
    let mut n = [0u8; 20];
    for (d, s) in n.iter_mut().zip(name.bytes()) {
        *d = s;
    }
    n
}

impl Builder {
    pub fn new(smpl: Vec<i16>) -> Builder {
        Builder {
            smpl,
            smpl_bytes: None,
            sm24: None,
            version: (2, 1),
            name: "test font".into(),
            samples: Vec::new(),
            instruments: Vec::new(),
            presets: Vec::new(),
        }
    }

    pub fn sample(&mut self, s: TSample) -> u16 {
        self.samples.push(s);
        (self.samples.len() - 1) as u16
    }

    pub fn instrument(&mut self, name: &str, zones: Vec<TZone>) -> u16 {
        self.instruments.push((name.into(), zones));
        (self.instruments.len() - 1) as u16
    }

    pub fn preset(&mut self, name: &str, program: u16, bank: u16, zones: Vec<TZone>) {
        self.presets.push((name.into(), program, bank, zones));
    }

    /// The nine pdta sub-chunks, in spec order, terminal records included.
    pub fn pdta_parts(&self) -> Vec<([u8; 4], Vec<u8>)> {
        fn zone_tables(zones: &[&TZone]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
            let (mut bag, mut modu, mut gens) = (Vec::new(), Vec::new(), Vec::new());
            let (mut g, mut m) = (0u16, 0u16);
            for z in zones {
                bag.extend(g.to_le_bytes());
                bag.extend(m.to_le_bytes());
                for &(oper, amount) in &z.gens {
                    gens.extend(oper.to_le_bytes());
                    gens.extend(amount.to_le_bytes());
                    g += 1;
                }
                for &(src, dest, amount, amt_src, transform) in &z.mods {
                    for v in [src, dest, amount as u16, amt_src, transform] {
                        modu.extend(v.to_le_bytes());
                    }
                    m += 1;
                }
            }
            bag.extend(g.to_le_bytes());
            bag.extend(m.to_le_bytes());
            modu.extend([0u8; 10]);
            gens.extend([0u8; 4]);
            (bag, modu, gens)
        }
        let mut phdr = Vec::new();
        let mut all_zones = Vec::new();
        for (name, program, bank, zones) in &self.presets {
            phdr.extend(name20(name));
            phdr.extend(program.to_le_bytes());
            phdr.extend(bank.to_le_bytes());
            phdr.extend((all_zones.len() as u16).to_le_bytes());
            phdr.extend([0u8; 12]);
            all_zones.extend(zones.iter());
        }
        phdr.extend(name20("EOP"));
        phdr.extend([0u8; 4]);
        phdr.extend((all_zones.len() as u16).to_le_bytes());
        phdr.extend([0u8; 12]);
        let (pbag, pmod, pgen) = zone_tables(&all_zones);

        let mut inst = Vec::new();
        let mut all_zones = Vec::new();
        for (name, zones) in &self.instruments {
            inst.extend(name20(name));
            inst.extend((all_zones.len() as u16).to_le_bytes());
            all_zones.extend(zones.iter());
        }
        inst.extend(name20("EOI"));
        inst.extend((all_zones.len() as u16).to_le_bytes());
        let (ibag, imod, igen) = zone_tables(&all_zones);

        let mut shdr = Vec::new();
        let eos = TSample {
            kind: 0,
            ..TSample::new("EOS", 0, 0, 0)
        };
        for s in self.samples.iter().chain(std::iter::once(&eos)) {
            shdr.extend(name20(&s.name));
            for v in [s.start, s.end, s.loop_start, s.loop_end, s.rate] {
                shdr.extend(v.to_le_bytes());
            }
            shdr.push(s.pitch);
            shdr.push(s.correction as u8);
            shdr.extend(s.link.to_le_bytes());
            shdr.extend(s.kind.to_le_bytes());
        }
        vec![
            (*b"phdr", phdr),
            (*b"pbag", pbag),
            (*b"pmod", pmod),
            (*b"pgen", pgen),
            (*b"inst", inst),
            (*b"ibag", ibag),
            (*b"imod", imod),
            (*b"igen", igen),
            (*b"shdr", shdr),
        ]
    }

    pub fn build_with_pdta(&self, parts: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
        let mut ifil = self.version.0.to_le_bytes().to_vec();
        ifil.extend(self.version.1.to_le_bytes());
        let mut inam = self.name.as_bytes().to_vec();
        inam.push(0);
        let info = list(
            b"INFO",
            &[
                chunk(b"ifil", &ifil),
                chunk(b"isng", b"EMU8000\0"),
                chunk(b"INAM", &inam),
            ],
        );
        let smpl: Vec<u8> = match &self.smpl_bytes {
            Some(b) => b.clone(),
            None => self.smpl.iter().flat_map(|s| s.to_le_bytes()).collect(),
        };
        let mut sdta_parts = vec![chunk(b"smpl", &smpl)];
        if let Some(sm24) = &self.sm24 {
            sdta_parts.push(chunk(b"sm24", sm24));
        }
        let sdta = list(b"sdta", &sdta_parts);
        let pdta = list(
            b"pdta",
            &parts.iter().map(|(id, d)| chunk(id, d)).collect::<Vec<_>>(),
        );
        let mut body = b"sfbk".to_vec();
        body.extend(info);
        body.extend(sdta);
        body.extend(pdta);
        chunk(b"RIFF", &body)
    }

    pub fn build(&self) -> Vec<u8> {
        self.build_with_pdta(&self.pdta_parts())
    }
}
