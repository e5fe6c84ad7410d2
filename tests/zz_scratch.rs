mod support;
#[test]
fn dump() {
    let pdf = support::cli::example_notice();
    for (pn, pat) in [
        (2usize, "为做好"),
        (2, "根据《"),
        (4, "12345"),
        (4, "由区督查"),
        (6, "为0.5"),
        (2, "测评中实现"),
        (10, "抄送"),
        (10, "区检察院"),
        (10, "— 10"),
        (1, "— 1"),
    ] {
        let l = pdf.page(pn).line_containing(pat).expect("x");
        println!("--- p{pn} {}", l.text);
        let mut prev: Option<f64> = None;
        for g in &l.glyphs {
            println!(
                "  {:?} x {:8.3} adv {:6.3} d {:6.3} font {}",
                g.text,
                g.x,
                g.advance,
                prev.map_or(0.0, |p| g.x - p),
                g.font
            );
            prev = Some(g.x);
        }
    }
}
