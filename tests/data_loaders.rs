//! Every dataset loaded from the real files gives the published counts. The files come
//! through the loaders' own lookup (`$DLCOURSE_DATA`, else `../shared/data` when present,
//! then the project's `data/` and the dataset cache), downloaded into the cache when no
//! folder has them; without files and without a connection these tests fail, naming
//! every place searched.

use dlcourse::data::text::Vocabulary;
use dlcourse::data::{Locator, imdb, mnist, photos, uci};
use dlcourse::prelude::*;
use dlcourse_tests::data_locator;
use std::time::Instant;

fn locator() -> Locator {
    data_locator()
}

#[test]
fn mnist_has_the_published_counts_and_loads_fast() -> Result<()> {
    let start = Instant::now();
    let data = mnist::mnist_from(&locator())?;
    let elapsed = start.elapsed();
    let x = data.train.flat()?;
    eprintln!(
        "MNIST: 70,000 images as u8 tensors in {:.3} s; as f32 [60000, 784] in {:.3} s in all",
        elapsed.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    assert_eq!(data.train.images.dims(), &[60_000, 28, 28]);
    assert_eq!(data.train.images.dtype(), DType::U8);
    assert_eq!(data.train.labels.dtype(), DType::U32);
    assert_eq!(data.test.images.dims(), &[10_000, 28, 28]);
    assert_eq!(
        data.train.class_counts()?,
        [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    );
    assert_eq!(data.test.class_counts()?.iter().sum::<usize>(), 10_000);
    assert_eq!(data.class_names[7], "7");
    assert_eq!(x.dims(), &[60_000, 784]);
    // The published normalisation constants: mean 0.1307, std 0.3081.
    let mean: f32 = x.mean_all()?.to_scalar()?;
    assert!((mean - 0.1307).abs() < 1e-3, "mean {mean}");
    let (valid, train) = data.train.split_at(5_000)?;
    assert_eq!((valid.len(), train.len()), (5_000, 55_000));
    assert_eq!(data.test.images_nchw()?.dims(), &[10_000, 1, 28, 28]);
    Ok(())
}

#[test]
fn fashion_mnist_has_6000_and_1000_per_class() -> Result<()> {
    let data = mnist::fashion_mnist_from(&locator())?;
    assert_eq!(data.train.class_counts()?, vec![6_000; 10]);
    assert_eq!(data.test.class_counts()?, vec![1_000; 10]);
    assert_eq!(data.class_names[0], "T-shirt/top");
    assert_eq!(data.class_names[9], "Ankle boot");
    Ok(())
}

#[test]
fn imdb_has_25000_balanced_reviews_per_split() -> Result<()> {
    let start = Instant::now();
    let data = imdb::imdb_from(&locator())?;
    let read = start.elapsed().as_secs_f64();
    for (split, reviews) in [("train", &data.train), ("test", &data.test)] {
        assert_eq!(reviews.len(), 25_000, "{split}");
        assert_eq!(reviews.labels.iter().sum::<u32>(), 12_500, "{split}");
        assert!(reviews.ratings.iter().zip(&reviews.labels).all(|(&r, &l)| {
            (l == 1 && (7..=10).contains(&r)) || (l == 0 && (1..=4).contains(&r))
        }));
        // A fixed mixed order: the first 1,000 hold both labels in fair numbers.
        let first: u32 = reviews.labels[..1_000].iter().sum();
        assert!((400..600).contains(&first), "{split}: {first} positives");
    }
    let i = (0..data.train.len())
        .find(|&i| data.train.ids[i] == 0 && data.train.labels[i] == 1)
        .expect("train/pos/0_9.txt is in the archive");
    assert!(data.train.texts[i].starts_with("Bromwell High is a cartoon comedy."));
    assert_eq!(data.train.ratings[i], 9);

    let vocab = Vocabulary::fit(&data.train.texts, 10_000);
    let fitted = start.elapsed().as_secs_f64();
    assert_eq!(vocab.len(), 10_000);
    assert_eq!(vocab.word(2), Some("the"));
    let x = vocab.encode_batch(&data.train.texts[..100], 200)?;
    assert_eq!(x.dims(), &[100, 200]);
    let max: u32 = x.max_all()?.to_scalar()?;
    assert!(max < 10_000);
    assert_eq!(data.train.targets()?.dims(), &[25_000, 1]);
    eprintln!(
        "IMDB: 50,000 reviews read in {read:.2} s; 10,000-word vocabulary fitted by {fitted:.2} s"
    );
    Ok(())
}

#[test]
fn house_votes_has_435_rows_and_232_complete() -> Result<()> {
    let df = uci::house_votes_from(&locator())?;
    assert_eq!(df.shape(), (435, 17));
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(names, uci::HOUSE_VOTES_COLUMNS);
    let complete = uci::drop_missing(&df)?;
    assert_eq!(complete.height(), 232);
    let (x, y) = uci::house_votes_xy(&complete)?;
    assert_eq!((x.dims(), y.dims()), (&[232, 16][..], &[232, 1][..]));
    let democrats: f32 = y.sum_all()?.to_scalar()?;
    assert_eq!(democrats, 124.0);
    let err = uci::house_votes_xy(&df).unwrap_err().to_string();
    assert!(err.contains("drop_missing"), "{err}");
    Ok(())
}

#[test]
fn house_votes_can_be_described_and_imputed_instead_of_dropped() -> Result<()> {
    let df = uci::house_votes_from(&locator())?;
    let summary = uci::describe(&df)?;
    assert_eq!(summary.shape(), (5, 18));
    let cell = |column: &str| -> Vec<String> {
        let values = summary.column(column).unwrap();
        (0..5)
            .map(|row| values.get(row).unwrap().str_value().into_owned())
            .collect()
    };
    assert_eq!(cell("party"), ["435", "0", "2", "democrat", "267"]);
    assert_eq!(
        cell("export-administration-act-south-africa"),
        ["331", "104", "2", "y", "269"]
    );
    let filled = uci::impute_most_frequent(&df)?;
    assert_eq!(filled.shape(), (435, 17));
    assert_eq!(uci::drop_missing(&filled)?.height(), 435);
    let (x, y) = uci::house_votes_xy(&filled)?;
    assert_eq!((x.dims(), y.dims()), (&[435, 16][..], &[435, 1][..]));
    // Column 16 has 269 "y" and 104 missing: all of those become "y".
    let yes: f32 = x.narrow(1, 15, 1)?.sum_all()?.to_scalar()?;
    assert_eq!(yes, 269.0 + 104.0);
    Ok(())
}

#[test]
fn mammographic_masses_has_961_rows_and_830_complete() -> Result<()> {
    let df = uci::mammographic_masses_from(&locator())?;
    assert_eq!(df.shape(), (961, 6));
    let complete = uci::drop_missing(&df)?;
    assert_eq!(complete.height(), 830);
    let (x, y) = uci::mammographic_xy(&complete)?;
    assert_eq!((x.dims(), y.dims()), (&[830, 4][..], &[830, 1][..]));
    Ok(())
}

#[test]
fn the_nine_photos_load_as_rgb_tensors_of_their_published_sizes() -> Result<()> {
    let sizes = [
        ("dog", 1546, 1213),
        ("grace_hopper", 517, 606),
        ("goldfish", 376, 263),
        ("Egyptian_cat", 335, 500),
        ("zebra", 500, 375),
        ("giant_panda", 500, 375),
        ("castle", 500, 408),
        ("teapot", 500, 374),
        ("pizza", 500, 375),
    ];
    for (name, width, height) in sizes {
        let photo = photos::photo_from(&locator(), name)?;
        assert_eq!(photo.dims(), &[3, height, width], "{name}");
        assert_eq!(photo.dtype(), DType::U8);
    }
    let err = photos::photo_from(&locator(), "unicorn")
        .unwrap_err()
        .to_string();
    assert!(err.contains("zebra"), "{err}");
    Ok(())
}
