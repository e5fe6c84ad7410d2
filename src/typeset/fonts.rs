//! Fonts by role. A notice needs five typefaces (小标宋, 仿宋, 黑体, 楷体,
//! 宋体); each role has a list of families, official Windows names first and
//! open fonts last, resolved once per run against the fonts actually present.
//! A role only takes a font that has every character it must set: pressroom
//! never prints a tofu box and never falls back silently.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use typst::text::{FontBook, FontStyle, FontVariant, FontWeight};
use typst_kit::fonts::{FontPath, FontStore};

use crate::diag::{Diagnostic, Msg};
use crate::msg;

/// The typographic roles of an official document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Role {
    /// 小标宋: issuer mark and titles.
    Mark,
    /// 仿宋: body text.
    Body,
    /// 黑体: level-1 headings, the 附件 label.
    Hei,
    /// 楷体: level-2 headings, signer names.
    Kai,
    /// 宋体: page numbers.
    Song,
}

impl Role {
    /// All roles, in the order they are reported.
    pub const ALL: [Role; 5] = [Role::Mark, Role::Body, Role::Hei, Role::Kai, Role::Song];

    /// The key templates use (`fonts.body`…).
    pub fn key(self) -> &'static str {
        match self {
            Role::Mark => "mark",
            Role::Body => "body",
            Role::Hei => "hei",
            Role::Kai => "kai",
            Role::Song => "song",
        }
    }

    /// The role's Chinese name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Mark => "小标宋",
            Role::Body => "仿宋",
            Role::Hei => "黑体",
            Role::Kai => "楷体",
            Role::Song => "宋体",
        }
    }

    /// Families to try, with the weight to take from each. The first entry
    /// (or entries) are the official fonts; the rest stand in for them.
    pub fn candidates(self) -> &'static [(&'static str, u16)] {
        match self {
            Role::Mark => &[
                ("FZXiaoBiaoSong-B05S", 400),
                ("FZXiaoBiaoSong-B05", 400),
                ("方正小标宋简体", 400),
                ("FandolSong", 700),
                ("Noto Serif CJK SC", 900),
                ("Source Han Serif SC", 900),
            ],
            Role::Body => &[
                ("FangSong_GB2312", 400),
                ("仿宋_GB2312", 400),
                ("FangSong", 400),
                ("仿宋", 400),
                ("FandolFang R", 400),
                ("FandolFang", 400),
                ("Noto Serif CJK SC", 400),
            ],
            Role::Hei => &[
                ("SimHei", 400),
                ("黑体", 400),
                ("FandolHei", 400),
                ("Noto Sans CJK SC", 400),
                ("Source Han Sans SC", 400),
            ],
            Role::Kai => &[
                ("KaiTi_GB2312", 400),
                ("楷体_GB2312", 400),
                ("KaiTi", 400),
                ("楷体", 400),
                ("FandolKai", 400),
                ("AR PL UKai CN", 400),
                ("LXGW WenKai", 400),
            ],
            Role::Song => &[
                ("SimSun", 400),
                ("宋体", 400),
                ("FandolSong", 400),
                ("Noto Serif CJK SC", 400),
                ("Source Han Serif SC", 400),
            ],
        }
    }

    /// How many leading candidates are the official fonts.
    fn official_count(self) -> usize {
        match self {
            Role::Mark => 3,
            Role::Body | Role::Kai => 4,
            Role::Hei | Role::Song => 2,
        }
    }
}

/// Where a font was found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Origin {
    /// The project's `fonts/` folder.
    Project,
    /// A folder named with `--font-path` or `PRESSROOM_FONT_PATH`.
    FontPath,
    /// The operating system's fonts.
    System,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match (self, crate::diag::lang()) {
            (Origin::Project, crate::diag::Lang::Zh) => "项目 fonts/ 目录",
            (Origin::Project, crate::diag::Lang::En) => "project fonts/",
            (Origin::FontPath, crate::diag::Lang::Zh) => "--font-path 目录",
            (Origin::FontPath, crate::diag::Lang::En) => "--font-path",
            (Origin::System, crate::diag::Lang::Zh) => "系统字体",
            (Origin::System, crate::diag::Lang::En) => "system",
        })
    }
}

/// Where to look for fonts.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FontOptions {
    /// Extra folders, searched after the project's `fonts/`.
    pub paths: Vec<PathBuf>,
    /// Whether to search the system's fonts too.
    pub system: bool,
}

/// Every font found, in priority order, and where each came from.
pub struct FontSet {
    /// The loaded-on-demand fonts, indexed like the book.
    pub store: FontStore,
    /// For each font index: its file and where it was found.
    pub files: Vec<(PathBuf, Origin)>,
    /// For each font index: its face in the file (0 unless a collection).
    faces: Vec<u32>,
    /// Files in the project's `fonts/` that lead outside it (not used).
    pub skipped: Vec<PathBuf>,
    /// Each font's codepoints, sorted, made when first asked: typst's
    /// coverage test scans its runs one by one, which took 9 ms per build
    /// for the few thousand characters a campaign sets.
    codepoints: std::sync::Mutex<std::collections::HashMap<usize, std::sync::Arc<Vec<u32>>>>,
}

impl FontSet {
    /// Searches the project's `fonts/`, then `options.paths`, then (if asked)
    /// the system.
    pub fn discover(project: &Path, options: &FontOptions) -> Self {
        let mut set = FontSet {
            store: FontStore::new(),
            files: Vec::new(),
            faces: Vec::new(),
            skipped: Vec::new(),
            codepoints: Default::default(),
        };
        let project_fonts = project.join("fonts");
        if project_fonts.is_dir() {
            let (fonts, skipped) = project_font_files(project, &project_fonts);
            set.skipped = skipped;
            set.add(fonts.into_iter(), Origin::Project);
        }
        for dir in &options.paths {
            set.add(typst_kit::fonts::scan(dir), Origin::FontPath);
        }
        if options.system {
            set.add(typst_kit::fonts::system(), Origin::System);
        }
        set
    }

    fn add(&mut self, fonts: impl Iterator<Item = (FontPath, typst::text::FontInfo)>, origin: Origin) {
        for (path, info) in fonts {
            self.files.push((path.path.clone(), origin.clone()));
            self.faces.push(path.index);
            self.store.push((path, info));
        }
    }

    /// The font book.
    pub fn book(&self) -> &FontBook {
        self.store.book()
    }

    /// The characters of `need` that the font at `index` lacks.
    fn lacking(&self, index: usize, need: &BTreeSet<char>) -> Vec<char> {
        let known = self.codepoints.lock().ok().and_then(|m| m.get(&index).cloned());
        let codepoints = match known {
            Some(c) => c,
            None => {
                let Some(info) = self.book().info(index) else { return need.iter().copied().collect() };
                let c = std::sync::Arc::new(info.coverage.iter().collect::<Vec<u32>>());
                if let Ok(mut m) = self.codepoints.lock() {
                    m.insert(index, c.clone());
                }
                c
            }
        };
        need.iter().copied().filter(|c| codepoints.binary_search(&(*c as u32)).is_err()).collect()
    }
}

/// Fonts in the project's `fonts/` folder. Only files that really lie inside
/// the project count: a symlink leading out is skipped, so a project never
/// reads a file outside itself.
#[allow(clippy::type_complexity)]
fn project_font_files(project: &Path, dir: &Path) -> (Vec<(FontPath, typst::text::FontInfo)>, Vec<PathBuf>) {
    let Ok(root) = project.canonicalize() else { return (Vec::new(), Vec::new()) };
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            let Ok(real) = path.canonicalize() else { continue };
            if !real.starts_with(&root) {
                skipped.push(path);
                continue;
            }
            if real.is_dir() {
                stack.push(path);
                continue;
            }
            let is_font = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "ttf" | "otf" | "ttc" | "otc"));
            if !is_font {
                continue;
            }
            let Ok(bytes) = std::fs::read(&real) else { continue };
            for (index, info) in typst::text::FontInfo::iter(&bytes).enumerate() {
                out.push((FontPath { path: real.clone(), index: index as u32 }, info));
            }
        }
    }
    (out, skipped)
}

/// The font chosen for a role.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Resolved {
    /// The role.
    pub role: Role,
    /// Family name as typst knows it.
    pub family: String,
    /// Weight to request.
    pub weight: u16,
    /// Font file.
    pub path: PathBuf,
    /// The face in the file (0 unless it is a collection).
    pub face: u32,
    /// Where it was found.
    pub origin: Origin,
    /// Whether it is one of the official fonts (not a stand-in).
    pub official: bool,
}

/// The font of every role.
#[derive(Clone, Debug)]
pub struct RoleFonts {
    /// One entry per role, in [`Role::ALL`] order.
    pub roles: Vec<Resolved>,
}

impl RoleFonts {
    /// The font of one role.
    pub fn get(&self, role: Role) -> &Resolved {
        &self.roles[Role::ALL.iter().position(|r| *r == role).unwrap_or(0)]
    }

    /// Which role a family serves (the first that uses it).
    pub fn role_of(&self, family: &str) -> Option<Role> {
        self.roles.iter().find(|r| r.family.eq_ignore_ascii_case(family)).map(|r| r.role)
    }

    /// `{ body: { family, weight }, … }` for templates.
    pub fn to_json(&self) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = self
            .roles
            .iter()
            .map(|r| (r.role.key().to_owned(), serde_json::json!({ "family": r.family, "weight": r.weight })))
            .collect();
        serde_json::Value::Object(map)
    }
}

/// The characters each role must be able to set.
pub type Needs = std::collections::BTreeMap<Role, BTreeSet<char>>;

/// Chooses a font for every role: the first candidate present whose
/// coverage includes all of the role's characters. Roles that no font can
/// serve become errors naming the missing characters.
pub fn resolve(set: &FontSet, needs: &Needs) -> Result<RoleFonts, Vec<Diagnostic>> {
    let book = set.book();
    let mut roles = Vec::new();
    let mut errors = Vec::new();
    let mut lacking: std::collections::BTreeMap<char, Vec<(Role, &str)>> = Default::default();
    for role in Role::ALL {
        let need = needs.get(&role).cloned().unwrap_or_default();
        let mut best: Option<(usize, Vec<char>, &str, u16, usize)> = None;
        let mut chosen = None;
        for (rank, (family, weight)) in role.candidates().iter().enumerate() {
            let variant = FontVariant {
                style: FontStyle::Normal,
                weight: FontWeight::from_number(*weight),
                stretch: Default::default(),
            };
            let Some(index) = book.select(&family.to_lowercase(), variant) else {
                continue;
            };
            let Some(info) = book.info(index) else {
                continue;
            };
            // `select` returns the nearest weight; a regular face must not
            // stand in where a bold one was asked for.
            if info.variant.weight.to_number().abs_diff(*weight) > 150 {
                continue;
            }
            let missing = set.lacking(index, &need);
            if missing.is_empty() {
                chosen = Some((index, family, *weight, rank));
                break;
            }
            if best.as_ref().is_none_or(|b| missing.len() < b.1.len()) {
                best = Some((index, missing, family, *weight, rank));
            }
        }
        match chosen {
            Some((index, family, weight, rank)) => {
                let (path, origin) = set.files[index].clone();
                roles.push(Resolved {
                    role,
                    family: book.info(index).map_or_else(|| (*family).to_owned(), |i| i.family.clone()),
                    weight,
                    path,
                    face: set.faces.get(index).copied().unwrap_or(0),
                    origin,
                    official: rank < role.official_count(),
                });
            }
            None => match best {
                Some((_, missing, family, _, _)) => {
                    for c in missing {
                        lacking.entry(c).or_default().push((role, family));
                    }
                }
                None => errors.push(missing_font(role, None)),
            },
        }
    }
    // One error per character no font can set, naming the roles that need it.
    for (c, roles) in lacking.iter().take(24) {
        errors.push(missing_char(*c, roles));
    }
    if roles.is_empty() && no_cjk_font(book) {
        return Err(vec![
            Diagnostic::error(
                "fonts/none",
                msg!(
                    "找不到任何中文字体（项目 fonts/ 目录、--font-path 和系统中都没有）",
                    "no CJK font found at all (not in the project's fonts/, --font-path, or the system)"
                ),
            )
            .hint(msg!(
                "把字体文件（.ttf、.otf）复制到项目的 fonts/ 目录，或用 --font-path 目录（或环境变量 PRESSROOM_FONT_PATH）指向字体所在的目录，再运行 pressroom fonts 查看。正式字体（方正小标宋简体、仿宋_GB2312、黑体、楷体_GB2312、宋体）由本单位提供；开源替代：Debian 软件包 fonts-noto-cjk（sudo apt install fonts-noto-cjk），或 texlive-lang-chinese 软件包中的 Fandol 字体。",
                "copy font files (.ttf, .otf) into the project's fonts/ folder, or point --font-path DIR (or PRESSROOM_FONT_PATH) at the folder that holds them, then run pressroom fonts. The official fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体) come from your office; open substitutes: Debian's fonts-noto-cjk package (sudo apt install fonts-noto-cjk), or the Fandol fonts inside Debian's texlive-lang-chinese."
            )),
        ]);
    }
    if errors.is_empty() { Ok(RoleFonts { roles }) } else { Err(errors) }
}

fn no_cjk_font(book: &FontBook) -> bool {
    !Role::ALL
        .iter()
        .flat_map(|r| r.candidates())
        .any(|(family, _)| book.contains_family(&family.to_lowercase()))
}

fn install_hint(role: Role) -> Msg {
    let tried: Vec<&str> = role.candidates().iter().map(|c| c.0).collect();
    msg!(
        "请改用常用字，或把含这个字的字体放入项目的 fonts/ 目录（或用 --font-path 指向它），或安装 Debian 软件包 fonts-noto-cjk。已尝试：{}",
        "use another character, put a font that has it into the project's fonts/ folder (or point --font-path at it), or install Debian's fonts-noto-cjk. Tried: {}",
        tried.join(", ")
    )
}

/// No font of the roles in `roles` has `c`.
fn missing_char(c: char, roles: &[(Role, &str)]) -> Diagnostic {
    let names: Vec<&str> = roles.iter().map(|(r, _)| r.name()).collect();
    let closest = roles.first().map_or("", |(_, f)| *f);
    Diagnostic::error(
        "fonts/missing-char",
        msg!(
            "字体缺字：“{}”(U+{:04X}) 在 {} 字体中都没有（最接近的是 {}）",
            "no font has “{}” (U+{:04X}) for the {} role(s) (the closest is {})",
            c,
            c as u32,
            names.join("、"),
            closest
        ),
    )
    .hint(install_hint(roles.first().map_or(Role::Body, |(r, _)| *r)))
}

/// No font of a role's families is installed at all.
fn missing_font(role: Role, _best: Option<()>) -> Diagnostic {
    Diagnostic::error(
        "fonts/missing",
        msg!(
            "找不到{}字体：系统和项目中都没有它的任何候选字体",
            "no font found for the {} role: none of its candidate families is installed",
            role.name()
        ),
    )
    .hint(install_hint(role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_lists_official_fonts_before_open_ones() {
        for role in Role::ALL {
            let names: Vec<&str> = role.candidates().iter().map(|c| c.0).collect();
            let first_open = names.iter().position(|n| n.starts_with("Fandol")).expect("an open font");
            assert_eq!(first_open, role.official_count(), "{role:?}");
            assert!(
                names.iter().any(|n| n.starts_with("Noto") || n.contains("Source") || n.contains("AR PL"))
            );
        }
    }

    #[test]
    fn reports_missing_characters_with_codepoints() {
        let d = missing_char('𠀀', &[(Role::Body, "FandolFang R"), (Role::Mark, "FandolSong")]);
        assert!(
            d.message.en.contains("U+20000") && d.message.zh.contains("仿宋、小标宋"),
            "{}",
            d.message.zh
        );
        assert!(d.hint.expect("hint").en.contains("fonts-noto-cjk"));
    }
}
